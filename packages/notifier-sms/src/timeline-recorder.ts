import { maskPhone, type RecipientResult, type TaskRecord, type TaskStatus } from '@alertgw/shared';
import type { SmsPayload } from './digest';

/** Appends one event to an alert's timeline (shared appendTimeline bound to a Redis and prefix). */
export type AppendTimeline = (fingerprint: string, event: { type: string; [field: string]: unknown }) => Promise<unknown>;

/**
 * The `notification` event of one settled SMS task. Numbers appear masked: timelines are
 * for people reading an alert, the task hash keeps the full numbers and provider facts.
 */
export function smsNotificationEvent(
  task: TaskRecord<SmsPayload>,
  settled: { status: TaskStatus; results: Record<string, RecipientResult> },
): { type: string; [field: string]: unknown } {
  const results: Record<string, Record<string, unknown>> = {};
  for (const [phone, r] of Object.entries(settled.results)) {
    const d = r.detail ?? {};
    results[maskPhone(phone)] = {
      status: r.status,
      at: r.at,
      ...(r.code ? { code: r.code } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...(d.SerialNo ? { serialNo: d.SerialNo, fee: d.Fee } : {}),
      ...(r.status === 'merged' ? { digestTaskId: d.digestTaskId, sendAfter: d.sendAfter } : {}),
    };
  }
  const count = (status: string) => Object.values(settled.results).filter((r) => r.status === status).length;
  return {
    type: 'notification',
    channel: 'sms',
    taskId: task.id,
    taskStatus: settled.status,
    attempts: task.attempts,
    delivered: count('delivered'),
    failed: count('failed'),
    retrying: count('retry'),
    merged: count('merged'),
    dryRun: count('dry-run'),
    results,
  };
}

/**
 * The worker's onSettled hook for SMS: appends the `notification` event to the timeline
 * of every alert in the group, so a merge into a storm summary (with the summary's task
 * id and due time) is visible on the alert as well as in the task.
 */
export function createSmsTimelineRecorder(
  append: AppendTimeline,
): (task: TaskRecord<SmsPayload>, settled: { status: TaskStatus; results: Record<string, RecipientResult> }) => Promise<void> {
  return async (task, settled) => {
    const fingerprints = [...new Set((task.payload.alerts ?? []).map((a) => a.fingerprint).filter(Boolean))];
    if (fingerprints.length === 0) return;
    const event = smsNotificationEvent(task, settled);
    await Promise.all(fingerprints.map((fp) => append(fp, event)));
  };
}
