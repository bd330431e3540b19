import type Redis from 'ioredis';
import type { QueueKeys } from '@alertgw/shared';
import { waitFor } from '@alertgw/testkit';

/** A task a dead process held, and when its lease runs out (Redis ms epoch, as last renewed). */
export interface OrphanedLease {
  id: string;
  deadline: number;
}

/**
 * The tasks a killed worker process still holds: in the queue's lease index with the dead pid
 * in their owner (worker ids are `host:pid:random`). Read after the SIGKILL, so the set is
 * exact: a dead process claims and acks nothing more, and until its leases run out nobody
 * else can take them.
 */
export async function leasesOfPid(redis: Redis, keys: QueueKeys, pid: number): Promise<OrphanedLease[]> {
  const flat = await redis.zrange(keys.leaseDeadlines, 0, -1, 'WITHSCORES');
  const leases: OrphanedLease[] = [];
  for (let i = 0; i < flat.length; i += 2) leases.push({ id: flat[i], deadline: Number(flat[i + 1]) });
  if (leases.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const l of leases) pipeline.hmget(keys.task(l.id), 'owner', 'status');
  const replies = (await pipeline.exec()) ?? [];
  return leases.filter((_, i) => {
    const [owner, status] = (replies[i]?.[1] ?? []) as Array<string | null>;
    return status === 'active' && (owner ?? '').includes(`:${pid}:`);
  });
}

/**
 * Waits until every task in `ids` was claimed by another process than the dead one and returns,
 * per task, how long after `dead.at` (ms epoch, the kill) that claim came (Redis' claimedAt). Polled,
 * as a claim sends no event; each task's first new claim is seen long before a retry could
 * claim it once more (backoff ≥ 100 ms plus a send).
 */
export async function reclaimDelays(redis: Redis, keys: QueueKeys, ids: string[], dead: { pid: number; at: number }, timeoutMs: number): Promise<Map<string, number>> {
  const delays = new Map<string, number>();
  await waitFor(
    async () => {
      const open = ids.filter((id) => !delays.has(id));
      const pipeline = redis.pipeline();
      for (const id of open) pipeline.hmget(keys.task(id), 'owner', 'claimedAt');
      const replies = (await pipeline.exec()) ?? [];
      open.forEach((id, i) => {
        const [owner, claimedAt] = (replies[i]?.[1] ?? []) as Array<string | null>;
        if (owner && !owner.includes(`:${dead.pid}:`)) delays.set(id, Number(claimedAt) - dead.at);
      });
      return delays.size === ids.length;
    },
    timeoutMs,
    `${ids.length} orphaned tasks of ${keys.base} to be claimed again`,
  );
  return delays;
}
