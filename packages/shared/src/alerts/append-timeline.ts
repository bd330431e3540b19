import type { RedisClient } from '../queue/task-queue';
import { AlertKeys } from './alert-keys';
import { ALERT_SCRIPTS } from './alert-scripts';
import type { TimelineEvent } from './types';
import { MAX_TIMELINE } from './upsert-alerts';

/** How long an event for an alert with no record yet is kept, waiting for ingest's upsert. */
const ORPHAN_GRACE_MS = 10 * 60_000;

/**
 * Appends one event (e.g. a notifier's `notification` result) to the timelines of several
 * alerts in one script call, so a notifier pays one round trip per task, not one per alert of
 * its group. Resolves, per fingerprint, to false when that alert had no record yet (the event
 * is kept for ORPHAN_GRACE_MS, for the record ingest writes right after enqueueing).
 */
export async function appendTimelines(
  redis: RedisClient,
  prefix: string,
  fingerprints: string[],
  event: Omit<TimelineEvent, 'at'> & { at?: string },
): Promise<boolean[]> {
  if (fingerprints.length === 0) return [];
  const keys = new AlertKeys(prefix);
  const entry = { ...event, at: event.at ?? new Date().toISOString() };
  const reply = (await ALERT_SCRIPTS.run(redis, 'appendTimeline', fingerprints.flatMap((fp) => [keys.record(fp), keys.timeline(fp)]), [
    JSON.stringify(entry),
    MAX_TIMELINE,
    ORPHAN_GRACE_MS,
  ])) as unknown[];
  return reply.map((r) => Number(r) === 1);
}
