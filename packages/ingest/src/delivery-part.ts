import { BY_QUEUE, newPartId, packJson, PartKeys, type DeliveryJson, type NotificationPayload, type WebhookMessage } from '@alertgw/shared';
import type { PlannedTask } from './plan-tasks';

/** Payload fields every channel's task of one delivery has alike: they go into the shared part. */
const PART_FIELDS = ['receiver', 'groupKey', 'externalURL', 'groupLabels', 'commonLabels', 'commonAnnotations', 'truncatedAlerts'] as const;

/**
 * The delivery's shared part (queue/shared-part.ts): its common fields, every alert (as the bytes
 * that came in: no re-serialization) and each channel's own fields in its queue's section, all
 * deflated at once; each task then holds an empty payload of its own.
 */
export function deliveryPart(prefix: string, msg: WebhookMessage, json: Pick<DeliveryJson, 'alerts'>, tasks: readonly PlannedTask[]): { key: string; value: string } {
  const common: Record<string, unknown> = {};
  for (const f of PART_FIELDS) common[f] = msg[f];
  const byQueue: Record<string, unknown> = {};
  for (const t of tasks) byQueue[t.channel] = ownPayload(t.payload, msg);
  common[BY_QUEUE] = byQueue;
  return { key: new PartKeys(prefix).part(newPartId()), value: packJson(withAlerts(JSON.stringify(common), json.alerts())) };
}

/** `head` (a JSON object's text) with `"alerts":` and `alerts` added as its last member, written into one buffer. */
function withAlerts(head: string, alerts: string | Buffer): Buffer {
  const headBytes = Buffer.byteLength(head) - 1;
  const alertsBytes = Buffer.isBuffer(alerts) ? alerts.length : Buffer.byteLength(alerts);
  const text = Buffer.allocUnsafe(headBytes + ALERTS_MEMBER.length + alertsBytes + 1);
  // The head's closing brace (one byte) is overwritten by the alerts member.
  let at = text.write(head) - 1;
  at += text.write(ALERTS_MEMBER, at, 'latin1');
  at += Buffer.isBuffer(alerts) ? alerts.copy(text, at) : text.write(alerts, at);
  text[at] = CLOSING_BRACE;
  return text;
}

const ALERTS_MEMBER = ',"alerts":';
const CLOSING_BRACE = 0x7d;

/**
 * What is one channel's own beside the delivery's common fields: its own fields, and its alerts
 * only when the channel carries fewer than the delivery's (a queue's section wins over the part's
 * common fields).
 */
function ownPayload(payload: NotificationPayload, msg: WebhookMessage): Partial<NotificationPayload> {
  // Copied key by key rather than spread and deleted: delete turns an object into a slow
  // dictionary, and this one is serialized next.
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (k === 'alerts' ? v !== msg.alerts : !(PART_SET.has(k) && v === msg[k as PartField])) own[k] = v;
  }
  return own as Partial<NotificationPayload>;
}

type PartField = (typeof PART_FIELDS)[number];
const PART_SET: ReadonlySet<string> = new Set(PART_FIELDS);
