import type { RedisClient } from '../queue/task-queue';
import { AlertKeys } from './alert-keys';
import { ALERT_SCRIPTS } from './alert-scripts';
import type { TimelineEvent } from './types';
import { MAX_TIMELINE } from './upsert-alerts';

/** How long an event for an alert with no record yet is kept, waiting for ingest's upsert. */
const ORPHAN_GRACE_MS = 10 * 60_000;

/**
 * Appends an event (e.g. a notifier's `notification` result) to an alert's timeline;
 * resolves to false when the alert had no record yet (the event is kept for ORPHAN_GRACE_MS,
 * for the record ingest writes right after enqueueing).
 */
export async function appendTimeline(
  redis: RedisClient,
  prefix: string,
  fingerprint: string,
  event: Omit<TimelineEvent, 'at'> & { at?: string },
): Promise<boolean> {
  const keys = new AlertKeys(prefix);
  const entry = { ...event, at: event.at ?? new Date().toISOString() };
  const reply = await ALERT_SCRIPTS.run(redis, 'appendTimeline', [keys.record(fingerprint), keys.timeline(fingerprint)], [
    JSON.stringify(entry),
    MAX_TIMELINE,
    ORPHAN_GRACE_MS,
  ]);
  return Number(reply) === 1;
}
