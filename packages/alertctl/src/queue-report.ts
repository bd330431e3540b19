import { TaskQueue, taskForReader, type GatewayConfig, type NotificationPayload, type RedisClient as Redis, type TaskRecord, type TaskStatus } from '@alertgw/shared';
import { showAddress } from './format';

/** One pending-by-severity column: a rank and the severity values that map to it. */
export interface SeverityColumn {
  rank: number;
  label: string;
}

/** A task someone holds a lease on. */
export interface LeaseRow {
  id: string;
  owner: string;
  /** Epoch ms of the claim. */
  since: number;
  /** Epoch ms when the lease runs out unless renewed. */
  deadline: number;
  attempts: number;
  maxAttempts: number;
}

/** A dead letter, as much as a person needs to decide on a replay. */
export interface DeadRow {
  id: string;
  diedAt: number;
  attempts: number;
  maxAttempts: number;
  group: string;
  /** Recipients without a delivery (masked phone numbers). */
  undelivered: string[];
  lastError: string;
}

/** Everything `alertctl queues` shows about one channel. */
export interface ChannelReport {
  name: string;
  enabled: boolean;
  counts: Record<TaskStatus, number>;
  pendingBySeverity: Array<SeverityColumn & { count: number }>;
  leases: LeaseRow[];
  dead: DeadRow[];
}

/** The whole report; `now` is Redis' clock, which lease deadlines are measured against. */
export interface QueueReport {
  now: number;
  prefix: string;
  channels: ChannelReport[];
}

/**
 * Columns for pending-by-severity: configured severities grouped by rank, most urgent first;
 * the unknown-severity rank is "other".
 */
export function severityColumns(ranks: Record<string, number>, unknownRank: number): SeverityColumn[] {
  const byRank = new Map<number, string[]>();
  for (const [name, rank] of Object.entries(ranks)) byRank.set(rank, [...(byRank.get(rank) ?? []), name]);
  if (!byRank.has(unknownRank)) byRank.set(unknownRank, []);
  return [...byRank.entries()]
    .sort(([a], [b]) => a - b)
    .map(([rank, names]) => ({ rank, label: [...names, ...(rank === unknownRank ? ['other'] : [])].join('/') }));
}

/** Reads depths, pending per severity, leases and dead letters of the configured channels (at most `limit` rows each). */
export async function readQueueReport(
  redis: Redis,
  config: GatewayConfig,
  opts: { limit: number; channels?: string[] },
): Promise<QueueReport> {
  const columns = severityColumns(config.queue.severityRanks, config.queue.unknownSeverityRank);
  const maxRank = Math.max(...columns.map((c) => c.rank));
  const [seconds, micros] = await redis.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  const names = opts.channels ?? Object.keys(config.channels);
  const channels = await Promise.all(
    names.map(async (name): Promise<ChannelReport> => {
      const queue = new TaskQueue<NotificationPayload>({ redis, prefix: config.redis.keyPrefix, name });
      const [counts, byRank, leases, dead] = await Promise.all([
        queue.counts(),
        queue.pendingByRank(maxRank),
        readLeases(redis, queue, opts.limit),
        readDead(redis, queue, opts.limit),
      ]);
      return {
        name,
        enabled: config.channels[name]?.enabled ?? false,
        counts,
        pendingBySeverity: columns.map((c) => ({ ...c, count: byRank[c.rank] ?? 0 })),
        leases,
        dead,
      };
    }),
  );
  return { now, prefix: config.redis.keyPrefix, channels };
}

async function readLeases(redis: Redis, queue: TaskQueue<NotificationPayload>, limit: number): Promise<LeaseRow[]> {
  // The lease index holds each deadline; the task hash says who holds it and since when.
  const listed = await tasksWithScores(queue, await redis.zrange(queue.keys.leaseDeadlines, 0, limit - 1, 'WITHSCORES'));
  return listed.map(({ task, score }) => ({
    id: task.id,
    owner: task.owner ?? '?',
    since: task.updatedAt,
    deadline: score,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
  }));
}

async function readDead(redis: Redis, queue: TaskQueue<NotificationPayload>, limit: number): Promise<DeadRow[]> {
  // Newest first: the list answers "what just broke".
  const listed = await tasksWithScores(queue, await redis.zrevrange(queue.keys.dead, 0, limit - 1, 'WITHSCORES'));
  return listed.map(({ task: stored, score }) => {
    // What a person reads: phone numbers masked in the group key (storm summaries) and the last error.
    const task = taskForReader(stored);
    return {
      id: task.id,
      diedAt: score,
      attempts: task.attempts,
      maxAttempts: task.maxAttempts,
      group: groupName(task),
      undelivered: undelivered(task),
      lastError: task.lastError ?? '',
    };
  });
}

// The tasks a ZRANGE ... WITHSCORES reply names, in its order, each with its score; one gone meanwhile is skipped.
async function tasksWithScores(
  queue: TaskQueue<NotificationPayload>,
  flat: string[],
): Promise<Array<{ task: TaskRecord<NotificationPayload>; score: number }>> {
  const listed: Array<{ task: TaskRecord<NotificationPayload>; score: number }> = [];
  for (let i = 0; i < flat.length; i += 2) {
    const task = await queue.get(flat[i]);
    if (task) listed.push({ task, score: Number(flat[i + 1]) });
  }
  return listed;
}

function groupName(task: TaskRecord<NotificationPayload>): string {
  const p = task.payload;
  const name = p?.commonLabels?.alertname ?? p?.groupLabels?.alertname ?? p?.groupKey ?? '?';
  const n = p?.alerts?.length ?? 0;
  return `${name} ${p?.status ?? ''}${n > 1 ? ` ×${n}` : ''}`.trim();
}

/** Recipients that have no final good result: the ones a replay would try again. */
function undelivered(task: TaskRecord<NotificationPayload>): string[] {
  const done = new Set(['delivered', 'dry-run', 'suppressed', 'merged']);
  const addresses = (task.payload?.recipients ?? []).map((r) => r.address);
  return addresses.filter((a) => !done.has(task.results[a]?.status ?? '')).map(showAddress);
}
