import type { NotificationPayload, Recipient, WebhookMessage } from '@alertgw/shared';

// The default ranks of config.example.yaml; a preview has no config to read them from.
const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];

/** Accepts a raw webhook body or a captured fixture `{headers, body}` and returns the body. */
export function webhookBodyOf(json: unknown): WebhookMessage {
  const candidate = (json && typeof json === 'object' && 'body' in json ? (json as { body: unknown }).body : json) as WebhookMessage;
  if (!candidate || typeof candidate !== 'object' || !Array.isArray(candidate.alerts)) {
    throw new Error('not an Alertmanager webhook body (no "alerts" array)');
  }
  return candidate;
}

/**
 * Builds the task payload ingest would write for a webhook body, for previews and tests:
 * the highest firing severity, and placeholder recipients unless given.
 */
export function payloadFromWebhook(
  body: WebhookMessage,
  opts: { recipients?: string[]; cc?: string[]; deliveryKey?: string } = {},
): NotificationPayload {
  const firing = body.alerts.filter((a) => a.status === 'firing').map((a) => (a.labels.severity ?? '').toLowerCase());
  const severity =
    SEVERITY_ORDER.find((s) => firing.includes(s)) ?? firing.find(Boolean) ?? body.alerts[0]?.labels.severity ?? '';
  const recipients = (opts.recipients ?? ['oncall@example.com']).map(
    (address): Recipient => ({ name: address.split('@')[0], address, rules: ['preview'] }),
  );
  return {
    channel: 'email',
    receiver: body.receiver,
    groupKey: body.groupKey,
    status: body.status,
    severity,
    externalURL: body.externalURL,
    groupLabels: body.groupLabels ?? {},
    commonLabels: body.commonLabels ?? {},
    commonAnnotations: body.commonAnnotations ?? {},
    truncatedAlerts: body.truncatedAlerts ?? 0,
    alerts: body.alerts,
    recipients,
    ...(opts.cc ? { cc: opts.cc } : {}),
    deliveryKey: opts.deliveryKey ?? `preview:${body.groupKey}`,
    receivedAt: new Date(0).toISOString(),
  };
}
