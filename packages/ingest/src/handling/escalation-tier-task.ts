import type { EscalationTier, LabelSet, NotificationPayload, WebhookAlert } from '@alertgw/shared';

/** The idempotency key of one escalation tier's task: one per alert, firing and tier, whichever replica schedules it. */
export function escalationDedupKey(fingerprint: string, startsAt: string, tierId: string): string {
  return `escalation:${fingerprint}:${startsAt}:${tierId}`;
}

/** The webhook delivery a tier is scheduled from, as its message shows it. */
export interface EscalationSource {
  alert: WebhookAlert;
  receiver: string;
  groupKey: string;
  /** ISO time the delivery was accepted. */
  receivedAt: string;
}

const NO_END = '0001-01-01T00:00:00Z';

/**
 * The task of one escalation tier on its channel (an SMS, or a chat robot's message), written
 * when the tier is scheduled and due after its delay: the one alert, its summary marked as an
 * escalation, sent to whoever the tier names when it is sent (`sendTimeTargets`), and only while
 * the alert still fires unacked (`precondition`: the channel's Worker checks it right before
 * each attempt).
 */
export function escalationTask(source: EscalationSource, tier: EscalationTier): NotificationPayload {
  const { alert } = source;
  const labels: LabelSet = alert.labels;
  const summary = alert.annotations.summary ?? labels.alertname ?? '';
  const minutes = tier.afterMs / 60_000;
  const after = minutes >= 1 ? `${Math.round(minutes)}m` : `${Math.round(minutes * 60)}s`;
  const annotations = { ...alert.annotations, summary: `[escalated: not acked in ${after}] ${summary}` };
  const rule = `escalation:${tier.route}#${tier.tier}`;
  return {
    channel: tier.channel,
    receiver: source.receiver,
    groupKey: source.groupKey || `escalation:${alert.fingerprint}`,
    status: 'firing',
    severity: labels.severity ?? '',
    externalURL: '',
    groupLabels: labels.alertname ? { alertname: labels.alertname } : {},
    commonLabels: labels,
    commonAnnotations: annotations,
    truncatedAlerts: 0,
    alerts: [{ status: 'firing', labels, annotations, startsAt: alert.startsAt, endsAt: NO_END, generatorURL: alert.generatorURL, fingerprint: alert.fingerprint }],
    recipients: [],
    sendTimeTargets: tier.notify.map((target) => ({ target, rule })),
    precondition: { kind: 'escalation', fingerprint: alert.fingerprint, startsAt: alert.startsAt, tier: tier.id },
    deliveryKey: escalationDedupKey(alert.fingerprint, alert.startsAt, tier.id),
    receivedAt: source.receivedAt,
  };
}
