import { TaskQueue, type NotificationPayload, type RedisClient } from '@alertgw/shared';

/** A minimal task payload for one alert group, as ingest would write it. */
export function payload(alertname: string, recipients: Array<{ name: string; address: string }>): NotificationPayload {
  return {
    channel: 'email',
    receiver: 'test',
    groupKey: `{}:{alertname="${alertname}"}`,
    status: 'firing',
    severity: 'critical',
    externalURL: '',
    groupLabels: { alertname },
    commonLabels: { alertname },
    commonAnnotations: {},
    truncatedAlerts: 0,
    alerts: [],
    recipients: recipients.map((r) => ({ ...r, rules: ['mandatory'] })),
    deliveryKey: `dk-${alertname}`,
    receivedAt: new Date().toISOString(),
  };
}

/** The queue of one channel under a test prefix. */
export function queueOf(redis: RedisClient, prefix: string, name: string): TaskQueue<NotificationPayload> {
  return new TaskQueue<NotificationPayload>({ redis, prefix, name, maxAttempts: 3 });
}

/** Enqueues a task and dead-letters it at once, with the given per-recipient results. */
export async function deadLetter(
  queue: TaskQueue<NotificationPayload>,
  p: NotificationPayload,
  results: Record<string, { status: 'failed' | 'delivered'; message?: string }> = {},
): Promise<string> {
  const { id } = await queue.enqueue({ payload: p, severityRank: 0 });
  const claimed = await queue.claim('test-worker');
  if (!claimed.task || claimed.task.id !== id) throw new Error('expected to claim the task just enqueued');
  const at = new Date().toISOString();
  const full = Object.fromEntries(Object.entries(results).map(([a, r]) => [a, { ...r, at }]));
  const outcome = await queue.fail(id, claimed.task.token, { error: '550 mailbox unavailable', retryable: false, delayMs: 0, results: full });
  if (outcome !== 'dead') throw new Error(`expected a dead letter, got ${outcome}`);
  return id;
}
