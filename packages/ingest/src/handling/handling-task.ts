import { HANDLING_QUEUE, TaskQueue } from '@alertgw/shared';
import type { GatewayConfig, RedisClient } from '@alertgw/shared';

/**
 * One piece of alert handling's delayed work, a task on the `handling` queue: an Alertmanager
 * silence to expire (an ack ended by a resolve, or an unack whose expiry failed), built by the
 * scripts that schedule it (includes/handling-task.lua); or one slot's sweep of silenced acks
 * (silence-sweep-task.ts), a recurring task every replica keeps scheduled. (An escalation tier
 * is a task of its own on the channel it notifies: escalation-tier-task.ts.)
 */
export type HandlingTask =
  | { kind: 'expire-silence'; silenceId: string }
  | { kind: 'silence-sweep'; slot: number; intervalMs: number };

/**
 * Attempts of a handling task: a silence is retried until Alertmanager confirms, as an outage
 * may last hours (with backoff capped at HANDLING_BACKOFF.maxMs, this covers about 16 h).
 */
export const HANDLING_MAX_ATTEMPTS = 1000;

/** Backoff between attempts of a handling task. */
const HANDLING_BACKOFF = { baseMs: 1000, maxMs: 60_000 };

/**
 * How long a finished handling task is kept, at most. The recurring silence sweep finishes one task
 * per slot (2,880 a day at a 30 s interval), so an hour is enough to look one up.
 */
export const HANDLING_COMPLETED_RETENTION_MS = 3_600_000;

/** The handling queue of one gateway: lease as the channels' queues, finished tasks kept at most an hour. */
export function createHandlingQueue(redis: RedisClient, config: GatewayConfig): TaskQueue<HandlingTask> {
  return new TaskQueue<HandlingTask>({
    redis,
    prefix: config.redis.keyPrefix,
    name: HANDLING_QUEUE,
    maxAttempts: HANDLING_MAX_ATTEMPTS,
    backoff: HANDLING_BACKOFF,
    leaseMs: config.queue.leaseMs,
    retention: { ...config.queue.retention, completedMs: Math.min(config.queue.retention.completedMs, HANDLING_COMPLETED_RETENTION_MS) },
  });
}
