import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { GatewayError } from '../errors';
import type { ScriptCall } from '../redis/lua-scripts';
import type { BackoffOptions } from './backoff';
import { QueueKeys } from './keys';
import { pipelineScript, scriptCaller, type ScriptCaller } from './scripts';
import { partPayload, unpackJson } from './shared-part';
import { RANK_BASE } from './severity';
import type { ClaimedTask, RecipientResult, TaskRecord, TaskStatus } from './types';

/** A single Redis or a Redis Cluster client: every queue key shares one slot. */
export type RedisClient = Redis | Cluster;

/** Options of one channel's queue. */
export interface TaskQueueOptions {
  redis: RedisClient;
  /** Key prefix, the hash tag of every key: "ag" → {ag}:email:pending. */
  prefix: string;
  /** Queue (channel) name. */
  name: string;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  leaseMs?: number;
  retention?: { completedMs: number; deadMs: number };
}

/** One task to add. */
export interface EnqueueInput<P> {
  payload: P;
  /**
   * The payload already serialized (must parse back to `payload`), as JSON text (UTF-8) or
   * packed by packJson (queue/shared-part.ts), which readers unpack.
   */
  payloadJson?: string | Buffer;
  severityRank: number;
  /** Idempotency key: a second enqueue with it within dedupTtlMs returns the first id. */
  dedupKey?: string;
  dedupTtlMs?: number;
  delayMs?: number;
  maxAttempts?: number;
  /**
   * A shared part (queue/shared-part.ts) the payload is laid over: `key` from PartKeys under
   * this queue's hash tag; `value` (packJson) stores it unless it is stored already. The
   * payload (or payloadJson) then holds only the task's own fields.
   */
  part?: { key: string; value?: string };
}

/** Result of enqueue: the task id, and whether the key had already been seen. */
export interface EnqueueResult {
  id: string;
  duplicate: boolean;
}

/** What claim() found: a task, or when to look again. */
export type ClaimResult<P> = { task: ClaimedTask<P> } | { task: null; nextWakeInMs: number | null };

/** What claimMany() found: the claimed tasks (maybe none), and when to look again if short. */
export interface ClaimBatch<P> {
  tasks: Array<ClaimedTask<P>>;
  /** Milliseconds until a delayed task is due or a lease expires; null when nothing is scheduled. */
  nextWakeInMs: number | null;
}


/** Most acks sent in one script call (bounds the argument list and the script's run time). */
const ACK_BATCH_MAX = 100;

/** Most leases renewed in one script call. */
const EXTEND_BATCH_MAX = 500;

/** An ack waiting for this tick's flush. */
interface QueuedAck {
  args: [id: string, token: string, results: string, info: string, part: string];
  resolve: (completed: boolean) => void;
  reject: (err: unknown) => void;
}

/** How fail() ended. */
export type FailResult = 'delayed' | 'dead' | 'lost';

const STATUS_INDEX: Record<Exclude<TaskStatus, never>, keyof QueueKeys> = {
  pending: 'pending',
  delayed: 'delayed',
  active: 'leaseDeadlines',
  dead: 'dead',
  completed: 'completed',
};

/**
 * A severity-ordered task queue in Redis: ZSET of ids scored by rank·2^44 + arrival,
 * one hash per task, leases (SET NX PX locks with fencing tokens, and a ZSET of their deadlines),
 * delayed and dead-letter sets. Every mutation is one Lua script.
 */
export class TaskQueue<P = unknown> {
  readonly name: string;
  readonly keys: QueueKeys;
  readonly redis: RedisClient;
  readonly maxAttempts: number;
  readonly backoff: BackoffOptions;
  readonly leaseMs: number;
  readonly retention: { completedMs: number; deadMs: number };
  private readonly call: ScriptCaller;
  private acks: QueuedAck[] = [];

  constructor(opts: TaskQueueOptions) {
    this.redis = opts.redis;
    this.name = opts.name;
    this.keys = new QueueKeys(opts.prefix, opts.name);
    this.maxAttempts = opts.maxAttempts ?? 10;
    this.backoff = opts.backoff ?? { baseMs: 1000, maxMs: 300_000 };
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.retention = opts.retention ?? { completedMs: 86_400_000, deadMs: 7 * 86_400_000 };
    this.call = scriptCaller(opts.redis);
  }

  /** Adds a task atomically with its idempotency check; returns its id and whether it was a duplicate. */
  async enqueue(input: EnqueueInput<P>): Promise<EnqueueResult> {
    const [keys, args] = this.enqueueCall(input);
    return this.parseEnqueueReply(await this.call('enqueue', keys, args));
  }

  /** Queues the same enqueue on a pipeline, so several channels cost one round trip. */
  addEnqueueToPipeline(pipeline: ChainableCommander, input: EnqueueInput<P>): void {
    const [keys, args] = this.enqueueCall(input);
    pipelineScript(pipeline, 'enqueue', keys, args);
  }

  /** Turns the script's reply into an EnqueueResult. */
  parseEnqueueReply(reply: unknown): EnqueueResult {
    const [id, duplicate] = reply as [string, number];
    return { id: String(id), duplicate: Number(duplicate) === 1 };
  }

  /**
   * The enqueue script's KEYS and ARGV for `input`, for a caller that runs the enqueue inside a
   * larger script (ingest's accept-delivery: every channel and the alert records at once).
   */
  enqueueCall(input: EnqueueInput<P>): ScriptCall {
    if (!Number.isInteger(input.severityRank) || input.severityRank < 0 || input.severityRank > 255) {
      throw new RangeError(`severityRank must be an integer 0..255, got ${input.severityRank}`);
    }
    const dedupKey = input.dedupKey ?? '';
    const ttl = dedupKey ? (input.dedupTtlMs ?? 600_000) : 0;
    const k = this.keys;
    if (input.part && !input.part.key.startsWith(`${k.tag}:`)) throw new RangeError(`a task's part must sit under its queue's hash tag ${k.tag}`);
    // The claim returns the part's key inside a space-separated text (claim-6.lua).
    if (input.part?.key.includes(' ')) throw new RangeError("a task's part key must not contain a space");
    return [
      [k.seq, k.pending, k.delayed, k.marker, k.dedup(dedupKey || '-')],
      [
        k.base,
        input.severityRank,
        input.payloadJson ?? JSON.stringify(input.payload),
        input.maxAttempts ?? this.maxAttempts,
        ttl,
        Math.max(0, Math.floor(input.delayMs ?? 0)),
        this.name,
        dedupKey,
        RANK_BASE,
        input.part?.key ?? '',
        input.part?.value ?? '',
      ],
    ];
  }

  /** Claims the most urgent task for `workerId`, or says when something may become due. */
  async claim(workerId: string): Promise<ClaimResult<P>> {
    const { tasks, nextWakeInMs } = await this.claimMany(workerId, 1);
    return tasks.length > 0 ? { task: tasks[0] } : { task: null, nextWakeInMs };
  }

  /**
   * Claims up to `max` of the most urgent tasks in one script call (one round trip for a
   * worker's free slots); when fewer came back, also says when something may become due.
   */
  async claimMany(workerId: string, max: number): Promise<ClaimBatch<P>> {
    const k = this.keys;
    const reply = (await this.call(
      'claim',
      [k.pending, k.delayed, k.leaseDeadlines, k.marker, k.fence, k.dead],
      [k.base, this.leaseMs, workerId, this.retention.deadMs, Math.max(1, Math.floor(max))],
    )) as unknown[];
    const now = String(reply[2]);
    const tasks: Array<ClaimedTask<P>> = [];
    const corrupt: Array<Record<string, string> & { error: string }> = [];
    // 7 values per task, one flat reply (claim-6.lua).
    for (let i = 3; i + 6 < reply.length; i += 7) {
      const fields = claimedFields(reply as Array<string | null>, i, workerId, now);
      // The claim returned the part's stored value in place of its key (the last field).
      const part = text(reply[i + 6] as string | null);
      try {
        tasks.push(this.parseTask(fields, part, fields.part ?? null) as ClaimedTask<P>);
      } catch (err) {
        if (!(err instanceof GatewayError && err.code === 'TASK_CORRUPT')) throw err;
        corrupt.push({ ...fields, error: err.message });
      }
    }
    // A task that cannot be read can never be sent. Thrown, it would take its whole batch down
    // at every claim until its attempts ran out; dead-lettered now, it shows in the dead letters
    // and the batch goes on. The caller looks again at once: the queue was not short.
    await Promise.all(corrupt.map((f) => this.fail(f.id, f.token, { error: f.error, retryable: false, delayMs: 0, results: readableResults(f.results) })));
    const next = corrupt.length > 0 ? Number(reply[2]) : Number(reply[1]);
    return { tasks, nextWakeInMs: next < 0 ? null : Math.max(0, next - Number(reply[2])) };
  }

  /** Renews the lease; false means it was lost and the work must stop. */
  async extend(id: string, token: string): Promise<boolean> {
    const k = this.keys;
    return Number(await this.call('extend', [k.lock(id), k.leaseDeadlines, k.task(id)], [id, token, this.leaseMs])) === 1;
  }

  /**
   * Renews many leases in one script call (at most EXTEND_BATCH_MAX per call); one boolean per
   * lease, in order: false means that lease was lost and its work must stop.
   */
  async extendMany(leases: Array<{ id: string; token: string }>): Promise<boolean[]> {
    const k = this.keys;
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < leases.length; i += EXTEND_BATCH_MAX) {
      const args: Array<string | number> = [k.base, this.leaseMs];
      for (const l of leases.slice(i, i + EXTEND_BATCH_MAX)) args.push(l.id, l.token);
      calls.push(this.call('extendMany', [k.leaseDeadlines], args));
    }
    const replies = (await Promise.all(calls)) as unknown[][];
    return replies.flat().map((r) => Number(r) === 1);
  }

  /**
   * Completes the task if `token` still holds it; false when the lease was lost. Acks made in
   * the same tick go to Redis as one script call (see flushAcks). `partKey` is the task's
   * ClaimedTask.partKey (null: it names no part); left out, the script reads it.
   */
  ack(id: string, token: string, results: Record<string, RecipientResult>, info?: Record<string, unknown>, partKey?: string | null): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.acks.length === 0) process.nextTick(() => this.flushAcks());
      const part = partKey === undefined ? '' : partKey === null ? '-' : partKey;
      this.acks.push({ args: [id, token, JSON.stringify(results), info ? JSON.stringify(info) : '', part], resolve, reject });
    });
  }

  /**
   * Sends the acks queued in this tick. nextTick runs after the current promise jobs, so the
   * tasks a claim started together (and that finish together) share one round trip, and no
   * ack waits for a timer.
   */
  private flushAcks(): void {
    const k = this.keys;
    const queued = this.acks;
    this.acks = [];
    for (let i = 0; i < queued.length; i += ACK_BATCH_MAX) {
      const batch = queued.slice(i, i + ACK_BATCH_MAX);
      const args: Array<string | number> = [k.base, this.retention.completedMs];
      for (const a of batch) args.push(...a.args);
      this.call('ack', [k.leaseDeadlines, k.completed], args).then(
        (reply) => batch.forEach((a, j) => a.resolve(Number((reply as unknown[])[j]) === 1)),
        (err) => batch.forEach((a) => a.reject(err)),
      );
    }
  }

  /** Records a failed attempt: delayed by `delayMs` if retryable with attempts left, else dead. */
  async fail(
    id: string,
    token: string,
    opts: { error: string; retryable: boolean; delayMs: number; results: Record<string, RecipientResult>; info?: Record<string, unknown> },
  ): Promise<FailResult> {
    const k = this.keys;
    const reply = Number(
      await this.call(
        'fail',
        [k.lock(id), k.leaseDeadlines, k.task(id), k.delayed, k.dead, k.marker],
        [
          id,
          token,
          JSON.stringify(opts.results),
          opts.error.slice(0, 2000),
          Math.max(0, Math.floor(opts.delayMs)),
          opts.retryable ? 1 : 0,
          this.retention.deadMs,
          opts.info ? JSON.stringify(opts.info) : '',
        ],
      ),
    );
    return reply === 1 ? 'delayed' : reply === 2 ? 'dead' : 'lost';
  }

  /** Puts a claimed task back to pending without counting the attempt (shutdown). */
  async release(id: string, token: string): Promise<boolean> {
    const k = this.keys;
    return Number(await this.call('release', [k.lock(id), k.leaseDeadlines, k.task(id), k.pending, k.marker], [id, token])) === 1;
  }

  /** Moves dead letters back to pending (all, oldest first, up to `max`, or the given ids). */
  async replayDead(ids: string[] = [], max = 1000): Promise<number> {
    const k = this.keys;
    return Number(await this.call('replay', [k.dead, k.pending, k.marker], [k.base, max, ...ids]));
  }

  /** The task's record, or null when unknown or expired. */
  async get(id: string): Promise<TaskRecord<P> | null> {
    const fields = await this.redis.hgetall(this.keys.task(id));
    if (!fields.id) return null;
    return this.parseTask(fields, fields.part ? ((await this.redis.hget(fields.part, 'v')) ?? '') : undefined);
  }

  /** Tasks in one state, most urgent (pending) or oldest (others) first. */
  async list(status: TaskStatus, page: { offset?: number; limit?: number } = {}): Promise<Array<TaskRecord<P>>> {
    const offset = page.offset ?? 0;
    const limit = Math.min(page.limit ?? 50, 1000);
    const index = this.keys[STATUS_INDEX[status]] as string;
    const ids = await this.redis.zrange(index, offset, offset + limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.task(id));
    const replies = (await pipeline.exec()) ?? [];
    const found = replies.map(([, fields]) => fields as Record<string, string>).filter((f) => f && f.id);
    const withPart = found.filter((f) => f.part);
    const parts = new Map<Record<string, string>, string>();
    if (withPart.length > 0) {
      const partReplies = (await withPart.reduce((p, f) => p.hget(f.part, 'v'), this.redis.pipeline()).exec()) ?? [];
      withPart.forEach((f, i) => parts.set(f, (partReplies[i]?.[1] as string | null) ?? ''));
    }
    return found.map((f) => this.parseListed(f, f.part ? parts.get(f) : undefined));
  }

  /** How many tasks are in each state. */
  async counts(): Promise<Record<TaskStatus, number>> {
    const k = this.keys;
    const replies = (await this.redis
      .pipeline()
      .zcard(k.pending)
      .zcard(k.leaseDeadlines)
      .zcard(k.delayed)
      .zcard(k.completed)
      .zcard(k.dead)
      .exec()) ?? [];
    const n = (i: number) => Number(replies[i]?.[1] ?? 0);
    return { pending: n(0), active: n(1), delayed: n(2), completed: n(3), dead: n(4) };
  }

  /** Pending tasks per severity rank (ranks 0..maxRank). */
  async pendingByRank(maxRank: number): Promise<number[]> {
    const pipeline = this.redis.pipeline();
    for (let rank = 0; rank <= maxRank; rank++) {
      pipeline.zcount(this.keys.pending, rank * RANK_BASE, `(${(rank + 1) * RANK_BASE}`);
    }
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([, n]) => Number(n));
  }

  /** Parses a listed task; one that cannot be read is listed with a null payload, not hiding the page. */
  private parseListed(f: Record<string, string>, part: string | undefined): TaskRecord<P> {
    try {
      return this.parseTask(f, part);
    } catch (err) {
      if (!(err instanceof GatewayError && err.code === 'TASK_CORRUPT')) throw err;
      return this.parseTask({ ...f, payload: 'null', results: '{}', info: '', lastError: f.lastError || err.message });
    }
  }

  /**
   * Parses a task hash into a record; `part` is the stored value of its shared part, when it
   * names one ("" when that part is gone). A field that is not JSON, or a part that is gone, is
   * a bug or a foreign write, not bad input and not a missing task: TASK_CORRUPT, which the API
   * answers 500 and logs. `partKey` is for a claim (ClaimedTask.partKey): set in the literal,
   * not added afterwards, which would give every claimed task a second map and a property store.
   */
  parseTask(f: Record<string, string>, part?: string, partKey?: string | null): TaskRecord<P> {
    let payload: P;
    let results: Record<string, RecipientResult>;
    let info: Record<string, unknown> | undefined;
    try {
      if (part === '') throw new Error('its shared part is gone');
      const own = unpackJson(f.payload);
      payload = (part === undefined ? JSON.parse(own) : partPayload(unpackJson(part), f.queue ?? this.name, own)) as P;
      results = JSON.parse(f.results || '{}') as Record<string, RecipientResult>;
      info = f.info ? (JSON.parse(f.info) as Record<string, unknown>) : undefined;
    } catch (cause) {
      throw new GatewayError('TASK_CORRUPT', `task ${f.id} of queue ${this.name} has an unreadable payload`, { cause });
    }
    return {
      id: f.id,
      queue: f.queue ?? this.name,
      status: f.status as TaskStatus,
      payload,
      severityRank: Number(f.rank),
      attempts: Number(f.attempts ?? 0),
      maxAttempts: Number(f.maxAttempts ?? this.maxAttempts),
      results,
      lastError: f.lastError || undefined,
      createdAt: Number(f.createdAt),
      updatedAt: Number(f.updatedAt),
      dueAt: num(f.dueAt),
      finishedAt: num(f.finishedAt),
      token: f.token || undefined,
      owner: f.owner || undefined,
      dedupKey: f.dedupKey || undefined,
      info,
      partKey,
    } as TaskRecord<P>;
  }
}

/**
 * A claimed task's hash fields from its 7 values in the flat claim reply, from index `at` (see
 * claim-6.lua: one text of the short fields, then payload, results, lastError, dedupKey, info,
 * part), as one object literal: the same shape for every task, which V8 reads fast (fields added one by one by name
 * would make each record a dictionary). What the claim itself just wrote (status, owner,
 * updatedAt) is not read back from the hash; `part` is the part's key (its value came last).
 */
function claimedFields(v: Array<string | null>, at: number, owner: string, now: string): Record<string, string> {
  // "id token attempts rank maxAttempts createdAt dueAt finishedAt partKey queue"; the name is the rest.
  const n = String(v[at]).split(' ');
  const fields = {
    id: n[0],
    token: n[1],
    attempts: n[2],
    status: 'active',
    owner,
    updatedAt: now,
    queue: given(n.length === 10 ? n[9] : n.slice(9).join(' ')),
    payload: text(v[at + 1]),
    rank: given(n[3]),
    maxAttempts: given(n[4]),
    results: text(v[at + 2]),
    lastError: text(v[at + 3]),
    createdAt: given(n[5]),
    dueAt: given(n[6]),
    finishedAt: given(n[7]),
    dedupKey: text(v[at + 4]),
    info: text(v[at + 5]),
    part: given(n[8]),
  };
  // Absent fields are undefined, which parseTask reads as a hash without them.
  return fields as Record<string, string>;
}

/** A reply value as text; undefined for a field the hash does not have. */
function text(v: string | number | null | undefined): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

/** A field from the claim's text of short fields: "" there stands for a field the hash lacks. */
function given(v: string): string | undefined {
  return v === '' ? undefined : v;
}

/** A number field of a task hash; undefined when it is absent or empty. */
function num(v: string | undefined): number | undefined {
  return v === undefined || v === '' ? undefined : Number(v);
}

/** A corrupt task's results when they still parse (kept in its dead letter), else none. */
function readableResults(text: string | undefined): Record<string, RecipientResult> {
  try {
    return JSON.parse(text || '{}') as Record<string, RecipientResult>;
  } catch {
    return {};
  }
}
