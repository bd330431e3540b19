import type { ClaimedTask, NotificationPayload, TaskQueue } from '@alertgw/shared';

/** Escalation after 300 ms to the "leads" group, for critical db alerts. */
export const ESCALATE_AFTER_MINUTES = 0.005;

/** Config patch: boss (in leads) gets an SMS when a critical db alert stays unacked 300 ms; leases of 1 s. */
export function withEscalation(raw: Record<string, unknown>): void {
  (raw.users as unknown[]).push({ name: 'boss', phone: '+8613800000009', groups: ['leads'] });
  raw.routes = [
    {
      name: 'db-team',
      matchers: ['team="db"'],
      notify: ['group:dba'],
      escalate: [{ afterMinutes: ESCALATE_AFTER_MINUTES, notify: ['group:leads'], severities: ['critical'] }],
    },
  ];
  (raw.queue as Record<string, unknown> | undefined) ?? (raw.queue = {});
  (raw.queue as Record<string, unknown>).leaseMs = 1000;
}

/** A one-alert delivery, as Alertmanager sends it. */
export function delivery(fp: string, status: 'firing' | 'resolved', startsAt: string, extra: Record<string, string> = {}) {
  const labels = { alertname: 'ReplicationLag', severity: 'critical', team: 'db', instance: `db-${fp}`, ...extra };
  return {
    version: '4',
    receiver: 'gateway',
    status,
    groupKey: `{}:{instance="db-${fp}"}`,
    truncatedAlerts: 0,
    externalURL: 'http://alertmanager',
    groupLabels: { instance: `db-${fp}` },
    commonLabels: labels,
    commonAnnotations: { summary: 'replica lag 120s' },
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'replica lag 120s' },
        startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: '',
        fingerprint: fp,
      },
    ],
  };
}

/** Whether a task is an escalation tier's SMS (the others are the deliveries' own notifications). */
export const isEscalation = (t: { payload: NotificationPayload }): boolean => t.payload.deliveryKey.startsWith('escalation:');

/**
 * Claims the one due escalation SMS (of alert `fp`, if given) as replica `workerId` would, and
 * gives back every other task claimed with it; throws unless exactly one such escalation came.
 */
export async function claimEscalation(queue: TaskQueue<NotificationPayload>, workerId: string, fp?: string): Promise<ClaimedTask<NotificationPayload>> {
  const { tasks } = await queue.claimMany(workerId, 50);
  const wanted = (t: ClaimedTask<NotificationPayload>) => isEscalation(t) && (fp === undefined || t.payload.alerts[0]?.fingerprint === fp);
  for (const t of tasks.filter((t) => !wanted(t))) await queue.release(t.id, t.token);
  const found = tasks.filter(wanted);
  if (found.length !== 1) throw new Error(`expected one due escalation SMS, claimed ${found.length}`);
  return found[0]!;
}

/** When the earliest delayed task of `queue` is due (ms epoch, Redis' clock), NaN when none is. */
export async function firstDueAt(queue: TaskQueue<NotificationPayload>): Promise<number> {
  return Number((await queue.redis.zrange(queue.keys.delayed, 0, 0, 'WITHSCORES'))[1]);
}
