import type { RedisClient } from '../queue/task-queue';
import { AlertKeys } from './alert-keys';
import { defineAlertScripts } from './alert-scripts';
import type { TimelineEvent } from './types';
import { MAX_TIMELINE } from './upsert-alerts';

/**
 * Appends an event (e.g. a notifier's `notification` result) to an alert's timeline;
 * resolves to false when the alert has no record (never seen, or expired).
 */
export async function appendTimeline(
  redis: RedisClient,
  prefix: string,
  fingerprint: string,
  event: Omit<TimelineEvent, 'at'> & { at?: string },
): Promise<boolean> {
  defineAlertScripts(redis);
  const keys = new AlertKeys(prefix);
  const entry = { ...event, at: event.at ?? new Date().toISOString() };
  const reply = await (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>).alertgw_appendTimeline(
    keys.record(fingerprint),
    keys.timeline(fingerprint),
    JSON.stringify(entry),
    MAX_TIMELINE,
  );
  return Number(reply) === 1;
}
