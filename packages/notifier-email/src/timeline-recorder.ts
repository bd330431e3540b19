import type { NotificationPayload, RecipientResult, TaskRecord, TaskStatus } from '@alertgw/shared';

/** Appends one event to an alert's timeline (shared's appendTimeline bound to a Redis and prefix). */
export type AppendTimeline = (fingerprint: string, event: { type: string; [field: string]: unknown }) => Promise<unknown>;

/** The per-recipient facts a timeline keeps (no HTML, no payload). */
export interface TimelineRecipient {
  status: RecipientResult['status'];
  at: string;
  code?: string;
  message?: string;
  messageId?: unknown;
  response?: unknown;
}

/** The `notification` timeline event for one settled email task. */
export function notificationEvent(
  task: TaskRecord<NotificationPayload>,
  settled: { status: TaskStatus; results: Record<string, RecipientResult> },
  channel: string,
): { type: string; [field: string]: unknown } {
  const recipients: Record<string, TimelineRecipient> = {};
  let messageId: unknown;
  for (const [address, r] of Object.entries(settled.results)) {
    recipients[address] = {
      status: r.status,
      at: r.at,
      ...(r.code ? { code: r.code } : {}),
      ...(r.message ? { message: r.message } : {}),
      ...(r.detail?.messageId ? { messageId: r.detail.messageId } : {}),
      ...(r.detail?.response ? { response: r.detail.response } : {}),
    };
    messageId ??= r.detail?.messageId;
  }
  const by = (status: string) => Object.keys(settled.results).filter((a) => settled.results[a].status === status);
  return {
    type: 'notification',
    channel,
    taskId: task.id,
    taskStatus: settled.status,
    attempts: task.attempts,
    ...(messageId ? { messageId } : {}),
    accepted: by('delivered'),
    rejected: by('failed'),
    retrying: by('retry'),
    results: recipients,
  };
}

/**
 * The worker's onSettled hook for the email channel: after every attempt that settled (done,
 * retrying or dead), appends a `notification` event with message id, server responses and the
 * accepted and rejected recipients to the timeline of every alert in the task's group.
 */
export function createTimelineRecorder(
  append: AppendTimeline,
  channel = 'email',
): (task: TaskRecord<NotificationPayload>, settled: { status: TaskStatus; results: Record<string, RecipientResult> }) => Promise<void> {
  return async (task, settled) => {
    const event = notificationEvent(task, settled, channel);
    const fingerprints = [...new Set(task.payload.alerts.map((a) => a.fingerprint).filter(Boolean))];
    await Promise.all(fingerprints.map((fp) => append(fp, event)));
  };
}
