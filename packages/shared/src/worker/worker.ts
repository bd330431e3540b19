import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../queue/task-queue';
import winston from 'winston';
import { GatewayError } from '../errors';
import type { Logger } from '../log';
import type { QueueMetrics } from '../metrics';
import { backoffDelay } from '../queue/backoff';
import type { TaskQueue } from '../queue/task-queue';
import type { ChannelHandler, ClaimedTask, RecipientResult, TaskRecord, TaskStatus } from '../queue/types';
import { settleOutcome } from './settle-outcome';

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
  /** Called after a task was settled (acked, retried or dead-lettered), e.g. to write alert timelines. */
  onSettled?: (task: TaskRecord<P>, settled: { status: TaskStatus; results: Record<string, RecipientResult> }) => Promise<void>;
}

/** Most tasks claimed in one script call, so a very wide worker does not stall Redis for long. */
const CLAIM_BATCH_MAX = 100;

/** Extra margin over the block timeout before the watchdog declares the blocking connection hung. */
const WATCHDOG_MARGIN_MS = 3000;

/**
 * Claims tasks from one queue and runs the channel's send() on them, N at a time. Owns
 * leases (renewal, loss → abort), retries with backoff, dead letters and graceful stop; a
 * channel only says how to send and which errors are worth retrying.
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
  private readonly active = new Map<string, { task: ClaimedTask<P>; abort: AbortController; done: Promise<void> }>();
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
  }

  /** Starts the claim loop in the background. */
  start(): void {
    if (this.running) return;
    this.running = this.loop().catch((err) => {
      this.log.error('worker loop stopped', { queue: this.queue.name, err });
    });
  }

  /** Number of tasks being worked on now. */
  get inFlight(): number {
    return this.active.size;
  }

  /**
   * Stops claiming, lets in-flight tasks finish for up to `graceMs`, then aborts and
   * releases the rest back to pending (their attempt does not count).
   */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    this.wake?.();
    this.blocker?.disconnect();
    await this.running;
    const all = () => Promise.all([...this.active.values()].map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const { task, abort } of this.active.values()) {
        const released = await this.queue.release(task.id, task.token).catch(() => false);
        this.log.warn('released in-flight task on shutdown', { queue: this.queue.name, taskId: task.id, released });
        abort.abort(new GatewayError('LEASE_LOST', 'worker is shutting down'));
      }
      await all();
    }
  }

  private async loop(): Promise<void> {
    while (!this.closing) {
      // Up to `concurrency` sends, plus at most as many tasks still writing their outcome.
      const want = Math.min(this.concurrency - this.sending, 2 * this.concurrency - this.active.size, CLAIM_BATCH_MAX);
      if (want <= 0) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      let claimed;
      try {
        // One script call fills every free slot: claims do not queue up behind each other.
        claimed = await this.queue.claimMany(this.id, want);
      } catch (err) {
        this.log.error('claim failed; Redis unavailable?', { queue: this.queue.name, err });
        await this.sleepInterruptibly(1000);
        continue;
      }
      for (const task of claimed.tasks) {
        this.metrics?.claims.inc({ queue: this.queue.name });
        this.startTask(task);
      }
      // A full batch may leave more behind; a short one emptied pending, so wait for a wake-up.
      if (claimed.tasks.length === want || this.closing) continue;
      const wait = claimed.nextWakeInMs === null ? this.blockTimeoutMs : Math.min(this.blockTimeoutMs, claimed.nextWakeInMs + 5);
      await this.blockForWork(Math.max(wait, 10));
    }
  }

  /** Blocks on the queue's marker until an enqueue wakes us or `ms` passes; a watchdog guards a hung socket. */
  private async blockForWork(ms: number): Promise<void> {
    // A connection of its own: a blocked socket cannot carry the task scripts meanwhile.
    if (!this.blocker) this.blocker = this.queue.redis.duplicate() as RedisClient;
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

  private startTask(task: ClaimedTask<P>): void {
    const abort = new AbortController();
    let sending = true;
    const freeSlot = () => {
      if (!sending) return;
      sending = false;
      this.sending--;
      this.wakeLoop();
    };
    this.sending++;
    const entry = { task, abort, done: Promise.resolve() };
    entry.done = this.runTask(task, abort, freeSlot).finally(() => {
      // A lost lease can bring the same id back to this worker: forget only our own entry.
      if (this.active.get(task.id) === entry) this.active.delete(task.id);
      freeSlot();
      this.wakeLoop();
    });
    this.active.set(task.id, entry);
  }

  private wakeLoop(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async runTask(task: ClaimedTask<P>, abort: AbortController, freeSlot: () => void): Promise<void> {
    const name = this.queue.name;
    let lost = false;
    const renew = setInterval(() => {
      this.queue.extend(task.id, task.token).then(
        (ok) => {
          if (ok || lost) return;
          lost = true;
          this.metrics?.leaseLosses.inc({ queue: name });
          this.log.warn('lease lost; aborting task', { queue: name, taskId: task.id });
          abort.abort(new GatewayError('LEASE_LOST', `lease on task ${task.id} lost`));
        },
        (err) => this.log.warn('lease renewal failed', { queue: name, taskId: task.id, err }),
      );
    }, Math.max(50, Math.floor(this.queue.leaseMs / 3)));

    try {
      const all = this.recipientsOf(task);
      const pending = all.filter((a) => !task.results[a] || task.results[a].status === 'retry');
      let settled;
      try {
        const outcome = await this.handler.send(task, pending, abort.signal);
        settled = settleOutcome(task, pending, outcome, this.queue.backoff);
      } catch (err) {
        if (lost) return;
        const cls = this.handler.classify(err);
        const message = err instanceof Error ? err.message : String(err);
        if (cls.configError) {
          this.metrics?.configErrors.inc({ queue: name, code: cls.code });
          this.log.error('channel configuration error: every task will fail until it is fixed', { queue: name, taskId: task.id, code: cls.code, message });
        } else {
          this.log.warn('send failed', { queue: name, taskId: task.id, code: cls.code, retryable: cls.retryable, message });
        }
        const delay = backoffDelay(task.attempts, this.queue.backoff, cls.retryAfterMs ?? 0);
        settled = { kind: 'fail' as const, retryable: cls.retryable, delayMs: delay, error: `${cls.code}: ${message}`, results: task.results };
      } finally {
        // The send is over: its slot takes the next task while this outcome is written, so the
        // next claim travels with this ack instead of one round trip after it.
        freeSlot();
      }
      if (lost) return;
      clearInterval(renew);
      await this.settle(task, settled);
    } finally {
      clearInterval(renew);
    }
  }

  private async settle(task: ClaimedTask<P>, s: ReturnType<typeof settleOutcome>): Promise<void> {
    const name = this.queue.name;
    for (const r of Object.values(s.results)) this.metrics?.recipientResults.inc({ queue: name, status: r.status });
    let status: TaskStatus;
    if (s.kind === 'ack') {
      if (!(await this.queue.ack(task.id, task.token, s.results, s.info))) return this.refused(task);
      status = 'completed';
      this.metrics?.acks.inc({ queue: name });
    } else {
      const r = await this.queue.fail(task.id, task.token, { ...s });
      if (r === 'lost') return this.refused(task);
      status = r;
      if (r === 'delayed') this.metrics?.retries.inc({ queue: name });
      else {
        this.metrics?.deadLetters.inc({ queue: name });
        this.log.error('task dead-lettered', { queue: name, taskId: task.id, attempts: task.attempts, error: s.error });
      }
    }
    if (this.onSettled) {
      await this.onSettled(task, { status, results: s.results }).catch((err) =>
        this.log.warn('onSettled hook failed', { queue: name, taskId: task.id, err }),
      );
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
