import { newPartId, packJson, PartKeys, type DeliveryJson, type NotificationPayload, type WebhookMessage } from '@alertgw/shared';

/** Payload fields every channel's task of one delivery has alike: they go into the shared part. */
const PART_FIELDS = ['receiver', 'groupKey', 'externalURL', 'groupLabels', 'commonLabels', 'commonAnnotations', 'truncatedAlerts'] as const;

/**
 * The delivery's shared part (queue/shared-part.ts): its common fields and every alert, the
 * alerts as the bytes that came in (no re-serialization), deflated once for every channel.
 */
export function deliveryPart(prefix: string, msg: WebhookMessage, json: Pick<DeliveryJson, 'alerts'>): { key: string; value: string } {
  const common: Record<string, unknown> = {};
  for (const f of PART_FIELDS) common[f] = msg[f];
  const head = JSON.stringify(common);
  const alerts = json.alerts();
  const text = Buffer.concat([Buffer.from(`${head.slice(0, -1)},"alerts":`), Buffer.isBuffer(alerts) ? alerts : Buffer.from(alerts), Buffer.from('}')]);
  return { key: new PartKeys(prefix).part(newPartId()), value: packJson(text) };
}

/**
 * What one task holds beside the part: its own fields, and its alerts only when the channel
 * carries fewer than the delivery's (a field the task holds wins over the part's).
 */
export function ownPayload(payload: NotificationPayload, msg: WebhookMessage): Partial<NotificationPayload> {
  const own: Partial<NotificationPayload> = { ...payload };
  for (const f of PART_FIELDS) if (payload[f] === msg[f]) delete own[f];
  if (payload.alerts === msg.alerts) delete own.alerts;
  return own;
}
