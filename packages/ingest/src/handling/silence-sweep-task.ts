import type { RecipientResult, RedisClient, TaskQueue } from '@alertgw/shared';
import type { HandlingTask } from './handling-task';
import { sweepSilences, type SilenceSweepDeps } from './silence-sweep';

/** The periodic sweep of silenced acks as a recurring task on the handling queue. */
export interface SilenceSweepTaskDeps extends SilenceSweepDeps {
  tasks: TaskQueue<HandlingTask>;
  /** Length of a slot: one sweep per slot, across all replicas. */
  intervalMs: number;
}

/** Queue priority of a sweep: behind nothing in particular (the handling queue has no severities of its own). */
const SWEEP_RANK = 0;

/** Redis' clock in ms, so every replica counts slots the same way. */
async function redisNowMs(redis: RedisClient): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/**
 * Makes sure the sweep of the slot after now (and after `after`, the slot just run) exists.
 * Its dedup key names the slot and the interval, so replicas that all call this at start or
 * after a run merge into one chain of one task per slot; the key outlives the slot's due
 * time, which is when the last caller could still name that slot. Slots are counted on
 * Redis' clock, so replicas whose clocks differ still name the same slot.
 */
export async function scheduleSilenceSweep(deps: SilenceSweepTaskDeps, after = -1): Promise<void> {
  const now = await redisNowMs(deps.redis);
  const slot = Math.max(after + 1, Math.floor(now / deps.intervalMs) + 1);
  const delayMs = slot * deps.intervalMs - now;
  await deps.tasks.enqueue({
    payload: { kind: 'silence-sweep', slot, intervalMs: deps.intervalMs },
    severityRank: SWEEP_RANK,
    dedupKey: `silence-sweep:${deps.intervalMs}:${slot}`,
    dedupTtlMs: delayMs + 2 * deps.intervalMs,
    delayMs,
  });
}

/**
 * Runs one slot's sweep. The next slot is scheduled first, so neither a failed sweep nor a
 * crash ends the chain (a crash mid-sweep: the lease expires and another replica reruns this
 * slot; a Redis error while scheduling throws, so the Worker retries the task). A failed sweep
 * (Alertmanager or Redis away) is not retried: it settles as `suppressed`, warned once per
 * failing streak, and the next slot tries again; the marks in `sil:gone` keep their
 * first-seen time meanwhile. Sweeps count time on Redis' clock, like the due times.
 */
export function createSilenceSweepRunner(deps: SilenceSweepTaskDeps): (task: Extract<HandlingTask, { kind: 'silence-sweep' }>) => Promise<RecipientResult> {
  let failing = false;
  return async (task) => {
    // A task of another interval (a rolling config change) feeds this replica's chain, so the old chain dies out.
    await scheduleSilenceSweep(deps, task.intervalMs === deps.intervalMs ? task.slot : -1);
    try {
      const ended = await sweepSilences(deps, await redisNowMs(deps.redis));
      failing = false;
      return { status: 'delivered', at: new Date().toISOString(), detail: { ended } };
    } catch (err) {
      const message = (err as Error).message;
      if (!failing) deps.logger.warn('silence sweep failed; the next slot tries again', { err: message });
      failing = true;
      return { status: 'suppressed', at: new Date().toISOString(), code: 'SWEEP_FAILED', message };
    }
  };
}
