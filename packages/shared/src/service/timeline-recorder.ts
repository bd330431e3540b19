import type { TimelineEvent } from '../alerts/types';
import type { RecipientResult, TaskRecord, TaskStatus } from '../queue/types';

/** A task's outcome as the worker settled it: its new status and every recipient's result. */
export interface Settled {
  status: TaskStatus;
  results: Record<string, RecipientResult>;
}

/** Appends one event to the timelines of these alerts (shared's appendTimelines bound to a Redis and prefix). */
export type AppendTimeline = (fingerprints: string[], event: Omit<TimelineEvent, 'at'>) => Promise<unknown>;

/** How a channel shows its results on a timeline; every part is optional. */
export interface TimelineView {
  /** The key a recipient appears under (SMS masks numbers: timelines are read by people). */
  recipientKey?(address: string): string;
  /** Provider facts worth showing next to one recipient's status (message id, SerialNo …). */
  recipientFacts?(result: RecipientResult): Record<string, unknown>;
  /** Task-level fields of the event (counts, accepted and rejected lists, message id …). */
  summary?(settled: Settled): Record<string, unknown>;
}

/** The `notification` timeline event of one settled task of `channel`. */
export function notificationEvent(channel: string, task: TaskRecord, settled: Settled, view: TimelineView = {}): Omit<TimelineEvent, 'at'> {
  const results: Record<string, Record<string, unknown>> = {};
  for (const [address, r] of Object.entries(settled.results)) {
    results[view.recipientKey ? view.recipientKey(address) : address] = {
      status: r.status,
      at: r.at,
      ...(r.code ? { code: r.code } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...view.recipientFacts?.(r),
    };
  }
  return {
    type: 'notification',
    channel,
    taskId: task.id,
    taskStatus: settled.status,
    attempts: task.attempts,
    ...view.summary?.(settled),
    results,
  };
}

/**
 * The worker's onSettled hook of a channel: after every attempt that settled (done, retrying,
 * dead or merged), appends the `notification` event to the timeline of every alert of the
 * task's group (one call for the group), so what happened to a notification is visible on the
 * alert itself. A task without alerts (an SMS storm summary) writes nothing.
 */
export function createTimelineRecorder<P extends { alerts?: Array<{ fingerprint?: string }> }>(
  channel: string,
  append: AppendTimeline,
  view: TimelineView = {},
): (task: TaskRecord<P>, settled: Settled) => Promise<void> {
  return async (task, settled) => {
    const fingerprints = [...new Set((task.payload.alerts ?? []).map((a) => a.fingerprint).filter((fp): fp is string => Boolean(fp)))];
    if (fingerprints.length === 0) return;
    const event = notificationEvent(channel, task as TaskRecord, settled, view);
    await append(fingerprints, event);
  };
}
