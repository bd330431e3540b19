import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../queue/task-queue';
import winston from 'winston';
import { GatewayError } from '../errors';
import type { Logger } from '../log';
import type { QueueMetrics } from '../metrics';
import { backoffDelay } from '../queue/backoff';
import type { ClaimBatch, TaskQueue } from '../queue/task-queue';
import type { ChannelHandler, ClaimedTask, ErrorClass, RecipientResult, TaskRecord, TaskStatus } from '../queue/types';
import { LeaseKeeper } from './lease-keeper';
import { classifyError } from './classify-error';
import { settleOutcome, type Settlement } from './settle-outcome';
import { refusalSettlement, type GateRefusal, type TaskGate } from './task-gate';
import { writeOutcome } from './write-outcome';

/** Options of a Worker. */
export interface WorkerOptions<P> {
  queue: TaskQueue<P>;
  handler: ChannelHandler<P>;
  /** Tasks worked on at once by this process. */
  concurrency?: number;
  workerId?: string;
  logger?: Logger;
  metrics?: QueueMetrics;
  /** Longest a blocking wait lasts; an idle worker sends about 2 commands per this period. */
  blockTimeoutMs?: number;
  /** Runs right before each send attempt: send-time recipients, a precondition (see TaskGate). */
  gate?: TaskGate<P>;
  /**
   * Called after a task was settled (acked, retried or dead-lettered), e.g. to write alert
   * timelines; `gated` when the gate refused the send (a failed precondition wrote its own event).
   */
  onSettled?: (task: TaskRecord<P>, settled: { status: TaskStatus; results: Record<string, RecipientResult>; gated?: GateRefusal<P>['settle'] }) => Promise<void>;
}

/** Most tasks claimed in one script call, so a very wide worker does not stall Redis for long. */
const CLAIM_BATCH_MAX = 100;

/** Extra margin over the block timeout before the watchdog declares the blocking connection hung. */
const WATCHDOG_MARGIN_MS = 3000;

/** Longest close() waits for a claim already sent: a healthy Redis answers in milliseconds, a hung one never. */
const CLOSE_CLAIM_WAIT_MS = 1000;

/** Longest close() waits, after the grace, for the releases and aborted sends of the tasks still running. */
const CLOSE_RELEASE_WAIT_MS = 1000;

/**
 * A claimed task, from its claim until its outcome is written or it is given back. One plain
 * object per task, no closures or promises of its own: this is made for every task.
 */
interface Held<P> {
  task: ClaimedTask<P>;
  abort: AbortController;
  /** Set when the lease turned out lost: nothing more may be written for this claim. */
  lost: boolean;
  /** Holds one of the `concurrency` send slots (from startTask until its send() is over). */
  sending: boolean;
  /** Set when the task has left this worker. */
  left: boolean;
  /** Resolves when the task has left; made only when close() waits for it (see hasLeft). */
  leaving?: Promise<void>;
  onLeft?: () => void;
}

/** A claim sent to Redis, not yet taken in. */
interface Claim<P> {
  want: number;
  reply: Promise<ClaimBatch<P>>;
}

/**
 * Claims tasks from one queue and runs the channel's send() on them, N at a time. Owns
 * leases (renewal, loss → abort), retries with backoff, dead letters and graceful stop; a
 * channel only says how to send and which errors are worth retrying.
 *
 * Claims are prefetched: when a full batch arrives, the next claim goes out before that batch
 * is worked on, so Redis claims batch k+1 while Node runs batch k instead of each waiting for
 * the other. Claimed tasks wait (lease held and renewed) for a send slot: at most
 * `concurrency` send, sending plus waiting stay within 2 × `concurrency`, and all claimed
 * tasks not yet settled (including those writing their outcome) within 4 × `concurrency`.
 */
export class Worker<P> {
  readonly id: string;
  private readonly queue: TaskQueue<P>;
  private readonly handler: ChannelHandler<P>;
  private readonly concurrency: number;
  private readonly log: Logger;
  private readonly metrics?: QueueMetrics;
  private readonly blockTimeoutMs: number;
  private readonly onSettled?: WorkerOptions<P>['onSettled'];
  private readonly gate?: TaskGate<P>;
  private readonly leases: LeaseKeeper<Held<P>>;
  /** The shutdown, once close() was called. */
  private closed?: Promise<void>;
  /** Every claimed task not yet settled: waiting for a slot, sending, or writing its outcome. */
  private readonly active = new Map<string, Held<P>>();
  /** Claimed tasks waiting for a send slot, most urgent first, then in claim order. */
  private waiting: Array<Held<P>> = [];
  /** Tasks whose send() has not returned yet: what `concurrency` limits. */
  private sending = 0;
  private blocker: RedisClient | null = null;
  private running: Promise<void> | null = null;
  private closing = false;
  private wake: (() => void) | null = null;

  constructor(opts: WorkerOptions<P>) {
    this.queue = opts.queue;
    this.handler = opts.handler;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.log = opts.logger ?? winston.createLogger({ silent: true });
    this.metrics = opts.metrics;
    this.blockTimeoutMs = opts.blockTimeoutMs ?? 5000;
    this.onSettled = opts.onSettled;
    this.gate = opts.gate;
    this.leases = new LeaseKeeper<Held<P>>(opts.queue as TaskQueue<unknown>, this.log, (held) => this.onLeaseLost(held));
  }

  /** Starts the claim loop in the background. */
  start(): void {
    if (this.running) return;
    this.leases.start();
    this.running = this.loop().catch((err) => {
      this.log.error('worker loop stopped', { queue: this.queue.name, err });
    });
  }

  /** Number of claimed tasks not yet settled (waiting for a slot, sending or writing their outcome). */
  get inFlight(): number {
    return this.active.size;
  }

  /**
   * Stops claiming, gives back at once the tasks that did not start, lets the running ones
   * finish for up to `graceMs`, then aborts and releases the rest back to pending (a released
   * task's attempt does not count). Returns within about `graceMs` + 1 s even when Redis hangs
   * (a dropped route answers nothing, ever): a claim or release left unanswered leaves a lease
   * that expires by itself, and the task is claimed again (at-least-once). A second call
   * returns the first one's promise (a runtime closing a Worker a test already stopped).
   */
  close(graceMs = 10_000): Promise<void> {
    this.closed ??= this.shutDown(graceMs);
    return this.closed;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.closing = true;
    this.wake?.();
    this.blocker?.disconnect();
    const deadline = Date.now() + graceMs;
    if (!(await settlesBy(this.running ?? Promise.resolve(), Math.min(deadline, Date.now() + CLOSE_CLAIM_WAIT_MS)))) {
      this.log.warn('claim unanswered on shutdown (Redis hung?); its tasks will be claimed again when their lease runs out', { queue: this.queue.name });
    }
    const unstarted = this.waiting;
    this.waiting = [];
    // Unstarted tasks leave at once; their releases go on while the running ones finish.
    const releases = unstarted.map((held) => this.giveBack(held, false));
    const all = () => Promise.all([...this.active.values()].map(hasLeft));
    if (!(await settlesBy(all(), deadline))) {
      for (const held of this.active.values()) {
        releases.push(this.giveBack(held, true));
        held.abort.abort(new GatewayError('LEASE_LOST', 'worker is shutting down'));
      }
    }
    if (!(await settlesBy(Promise.all([...releases, all()]), Date.now() + CLOSE_RELEASE_WAIT_MS))) {
      this.log.warn('could not give every task back on shutdown (Redis hung?); the rest are claimed again when their lease runs out', {
        queue: this.queue.name,
      });
    }
    this.leases.stop();
  }

  /** Releases a claimed task back to pending on shutdown; nothing more is written for this claim. */
  private async giveBack(held: Held<P>, started: boolean): Promise<void> {
    const { task } = held;
    held.lost = true;
    this.leases.drop(task.token);
    // An unstarted task leaves now, not when Redis answers: a hung Redis must not hold the close.
    // A started one leaves when its send() returns (the abort in close() makes it return).
    if (!started) this.leave(held);
    const released = await this.queue.release(task.id, task.token).catch(() => false);
    const message = started ? 'released in-flight task on shutdown' : 'released unstarted task on shutdown';
    this.log.warn(message, { queue: this.queue.name, taskId: task.id, released });
  }

  private async loop(): Promise<void> {
    let next: Claim<P> | null = null;
    while (!this.closing) {
      next ??= this.claim(0);
      if (!next) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      let claimed;
      try {
        claimed = await next.reply;
      } catch (err) {
        next = null;
        this.log.error('claim failed; Redis unavailable?', { queue: this.queue.name, err });
        await this.sleepInterruptibly(1000);
        continue;
      }
      // A full batch may leave more behind: the next claim goes out before this batch is worked
      // on, so Redis claims it while this process runs the batch. A short one emptied pending.
      const full: boolean = claimed.tasks.length === next.want;
      next = full && !this.closing ? this.claim(claimed.tasks.length) : null;
      for (const task of claimed.tasks) this.hold(task);
      this.fillSlots();
      if (full || this.closing) continue;
      const wait = claimed.nextWakeInMs === null ? this.blockTimeoutMs : Math.min(this.blockTimeoutMs, claimed.nextWakeInMs + 5);
      await this.blockForWork(Math.max(Math.min(wait, blockLimitMs(this.queue.redis)), 10));
    }
    // A claim sent just before close(): hold its tasks, so close() gives them back.
    const late = next && (await next.reply.catch(() => null));
    for (const task of late ? late.tasks : []) this.hold(task);
  }

  /**
   * Sends a claim for the free send slots plus room for `concurrency` waiting tasks (so a batch
   * is ready when the running one ends), minus `arriving` tasks claimed but not yet held,
   * bounded by the tasks still writing their outcome and by CLAIM_BATCH_MAX. Null while less
   * than half a batch fits, so claims stay few and large when sends are slow.
   */
  private claim(arriving: number): Claim<P> | null {
    const c = this.concurrency;
    const held = this.sending + this.waiting.length + arriving;
    const want = Math.min(2 * c - held, 4 * c - this.active.size - arriving, CLAIM_BATCH_MAX);
    if (want < Math.ceil(c / 2)) return null;
    return { want, reply: this.queue.claimMany(this.id, want) };
  }

  /** Blocks on the queue's marker until an enqueue wakes us or `ms` passes; a watchdog guards a hung socket. */
  private async blockForWork(ms: number): Promise<void> {
    // A connection of its own: a blocked socket cannot carry the task scripts meanwhile.
    if (!this.blocker) {
      this.blocker = this.queue.redis.duplicate() as RedisClient;
      // duplicate() copies no listeners: without one, ioredis prints every failed reconnect as an
      // "Unhandled error event" with a stack. The outage shows in the failed claims and waits.
      this.blocker.on('error', () => undefined);
    }
    const blocker = this.blocker;
    let watchdog: NodeJS.Timeout | undefined;
    const hung = new Promise<void>((resolve) => {
      watchdog = setTimeout(() => {
        this.log.warn('blocking wait hung; reconnecting', { queue: this.queue.name });
        blocker.disconnect();
        if (this.blocker === blocker) this.blocker = null;
        resolve();
      }, ms + WATCHDOG_MARGIN_MS);
    });
    try {
      await Promise.race([blocker.bzpopmin(this.queue.keys.marker, ms / 1000), hung]);
    } catch (err) {
      if (!this.closing) {
        this.log.warn('blocking wait failed', { queue: this.queue.name, err });
        await this.sleepInterruptibly(500);
      }
    } finally {
      clearTimeout(watchdog);
    }
  }

  private sleepInterruptibly(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  /** Takes a claimed task in: its lease is renewed from now on, and it waits for a send slot. */
  private hold(task: ClaimedTask<P>): void {
    this.metrics?.claims.inc({ queue: this.queue.name });
    const held: Held<P> = { task, abort: new AbortController(), lost: false, sending: false, left: false, leaving: undefined, onLeft: undefined };
    this.active.set(task.id, held);
    // Most urgent first: each batch comes in severity order, but a later claim can bring a task
    // more urgent than some still waiting from an earlier one (FIFO among equal ranks).
    let at = this.waiting.length;
    while (at > 0 && this.waiting[at - 1].task.severityRank > task.severityRank) at--;
    // At the end (the usual case) a push: splice would allocate its empty answer per task.
    if (at === this.waiting.length) this.waiting.push(held);
    else this.waiting.splice(at, 0, held);
    this.leases.hold(held);
  }

  /** The task leaves this worker: no longer counted, renewed, or waited for by close(). */
  private leave(held: Held<P>): void {
    const { task } = held;
    // A lost lease can bring the same id back to this worker: forget only our own entry.
    if (this.active.get(task.id) === held) this.active.delete(task.id);
    this.leases.drop(task.token);
    held.left = true;
    held.onLeft?.();
    this.wakeLoop();
  }

  /** Starts waiting tasks while send slots are free (not while closing: close() gives those back). */
  private fillSlots(): void {
    while (!this.closing && this.sending < this.concurrency && this.waiting.length > 0) {
      this.startTask(this.waiting.shift()!);
    }
  }

  private onLeaseLost(held: Held<P>): void {
    held.lost = true;
    this.metrics?.leaseLosses.inc({ queue: this.queue.name });
    this.log.warn('lease lost; aborting task', { queue: this.queue.name, taskId: held.task.id });
    const i = this.waiting.indexOf(held);
    if (i >= 0) {
      // It never started: nothing to abort, it just leaves.
      this.waiting.splice(i, 1);
      this.leave(held);
      return;
    }
    held.abort.abort(new GatewayError('LEASE_LOST', `lease on task ${held.task.id} lost`));
  }

  private startTask(held: Held<P>): void {
    held.sending = true;
    this.sending++;
    this.runTask(held).then(
      () => this.leave(held),
      (err: unknown) => {
        this.freeSlot(held);
        this.leave(held);
        // Redis failed while writing the outcome: the lease runs out and the task is claimed again.
        this.log.error('could not write task outcome', { queue: this.queue.name, taskId: held.task.id, err });
      },
    );
  }

  /** Gives the task's send slot to the next waiting task (once per task). */
  private freeSlot(held: Held<P>): void {
    if (!held.sending) return;
    held.sending = false;
    this.sending--;
    this.fillSlots();
    this.wakeLoop();
  }

  private wakeLoop(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async runTask(held: Held<P>): Promise<void> {
    const { abort } = held;
    let task = held.task;
    let settled: Settlement;
    let gated: GateRefusal<P>['settle'] | undefined;
    try {
      // A gate with nothing to do answers undefined synchronously: no await, no extra tick per task.
      const deciding = this.gate?.before(task);
      const verdict = deciding && (await deciding);
      if (verdict && 'settle' in verdict) {
        gated = verdict.settle;
        settled = refusalSettlement(verdict, this.recipientsOf(verdict.task));
      } else {
        if (verdict) task = verdict.send;
        const pending = this.recipientsOf(task).filter((a) => !task.results[a] || task.results[a].status === 'retry');
        const outcome = await this.handler.send(task, pending, abort.signal);
        settled = settleOutcome(task, pending, outcome, this.queue.backoff);
      }
    } catch (err) {
      if (held.lost) return;
      settled = this.failureOf(task, err);
    } finally {
      // The send is over: its slot takes the next task while this outcome is written, so the
      // next claim travels with this ack instead of one round trip after it.
      this.freeSlot(held);
    }
    if (held.lost) return;
    // The settle script ends the lease: a renewal running after it must not count as a loss.
    this.leases.drop(task.token);
    await this.settle(task, settled, gated);
  }

  /** Classifies a thrown send() error into a failed attempt; settle() logs it, once. */
  private failureOf(task: ClaimedTask<P>, err: unknown): Settlement {
    const cls = classifyError(err);
    const message = err instanceof Error ? err.message : String(err);
    const delay = backoffDelay(task.attempts, this.queue.backoff, cls.retryAfterMs ?? 0);
    return { kind: 'fail', retryable: cls.retryable, delayMs: delay, error: `${cls.code}: ${message}`, results: task.results, thrown: cls };
  }

  /**
   * Writes the outcome and logs a failure once, where it stops: a configuration error (with
   * its metric) at error level, a retry at warn, a dead letter at error.
   */
  private async settle(task: ClaimedTask<P>, s: Settlement, gated?: GateRefusal<P>['settle']): Promise<void> {
    const name = this.queue.name;
    // Without metrics an ack allocates nothing here: this runs once per task.
    if (this.metrics) for (const r of Object.values(s.results)) this.metrics.recipientResults.inc({ queue: name, status: r.status });
    const thrown = s.kind === 'fail' ? s.thrown : undefined;
    if (thrown?.configError) this.metrics?.configErrors.inc({ queue: name, code: thrown.code });
    const status = await writeOutcome(this.queue, task, s, this.log);
    if (status === 'refused') return this.refused(task);
    if (s.kind === 'ack') this.metrics?.acks.inc({ queue: name });
    else this.failed(task, s.error, status, thrown);
    if (this.onSettled) {
      await this.onSettled(task, gated ? { status, results: s.results, gated } : { status, results: s.results }).catch((err) =>
        this.log.warn('onSettled hook failed', { queue: name, taskId: task.id, err }),
      );
    }
  }

  /** Counts and logs a failed attempt written as a retry or a dead letter. */
  private failed(task: ClaimedTask<P>, error: string, status: TaskStatus, thrown: ErrorClass | undefined): void {
    const name = this.queue.name;
    const facts = { queue: name, taskId: task.id, attempts: task.attempts, ...(thrown ? { code: thrown.code, retryable: thrown.retryable } : {}) };
    if (status === 'delayed') {
      this.metrics?.retries.inc({ queue: name });
      if (thrown) this.log.warn('send failed; retrying', { ...facts, error });
    } else {
      this.metrics?.deadLetters.inc({ queue: name });
      const message = thrown?.configError ? 'channel configuration error: every task will fail until it is fixed; task dead-lettered' : 'task dead-lettered';
      this.log.error(message, { ...facts, error });
    }
  }

  private refused(task: ClaimedTask<P>): void {
    this.metrics?.leaseLosses.inc({ queue: this.queue.name });
    this.log.warn('settle refused: lease no longer ours (another worker owns the task)', { queue: this.queue.name, taskId: task.id });
  }

  private recipientsOf(task: ClaimedTask<P>): string[] {
    if (this.handler.recipientsOf) return this.handler.recipientsOf(task);
    const list = (task.payload as { recipients?: Array<{ address: string }> }).recipients ?? [];
    return [...new Set(list.map((r) => r.address))];
  }
}

/** Resolves when `held` has left its worker; made only for close(), not for every task. */
function hasLeft(held: { left: boolean; leaving?: Promise<void>; onLeft?: () => void }): Promise<void> {
  if (held.left) return Promise.resolve();
  held.leaving ??= new Promise<void>((resolve) => (held.onLeft = resolve));
  return held.leaving;
}

/** Waits for `work` until the clock reaches `deadline` (ms epoch); true when it settled in time. */
async function settlesBy(work: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))));
  const settled = await Promise.race([work.then(() => true, () => true), late]);
  clearTimeout(timer);
  return settled;
}

/**
 * The longest blocking wait the client lets finish: its blocking connection is a duplicate of it
 * and keeps its command timeout (ingest sets 2 s), which would cut every longer BZPOPMIN short
 * with an error. Infinity when it has none.
 */
function blockLimitMs(redis: RedisClient): number {
  const options = redis.options as { commandTimeout?: number; redisOptions?: { commandTimeout?: number } };
  const timeout = options.commandTimeout ?? options.redisOptions?.commandTimeout;
  return timeout ? Math.max(10, timeout - BLOCK_TIMEOUT_MARGIN_MS) : Number.POSITIVE_INFINITY;
}

/** How much sooner than the command timeout a blocking wait ends (the reply's trip back). */
const BLOCK_TIMEOUT_MARGIN_MS = 250;
