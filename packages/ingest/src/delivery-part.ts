import { BY_QUEUE, newPartId, packJson, PartKeys, type DeliveryJson, type NotificationPayload, type WebhookAlert, type WebhookMessage } from '@alertgw/shared';
import type { PlannedTask } from './plan-tasks';

/** Payload fields every channel's task of one delivery has alike: they go into the shared part. */
const PART_FIELDS = ['receiver', 'groupKey', 'externalURL', 'groupLabels', 'commonLabels', 'commonAnnotations', 'truncatedAlerts'] as const;

/**
 * The delivery's shared part (queue/shared-part.ts): its common fields, every alert (as the bytes
 * that came in: no re-serialization) and each channel's own fields in its queue's section, all
 * deflated at once; each task then holds an empty payload of its own. A channel that carries
 * only some of the alerts (SMS: the critical ones) has them in its section as the bytes that
 * came in too: serializing them again cost more than the rest of the part (CJK text made the
 * whole text two-byte, which then cost its UTF-8 encoding as well).
 */
export function deliveryPart(
  prefix: string,
  msg: WebhookMessage,
  json: Pick<DeliveryJson, 'alerts' | 'alert'>,
  tasks: readonly PlannedTask[],
): { key: string; value: string } {
  const common: Record<string, unknown> = {};
  for (const f of PART_FIELDS) common[f] = msg[f];
  const head = JSON.stringify(common);
  // The same members in the same order as JSON.stringify of {...common, [BY_QUEUE]: sections, alerts}.
  const text = new JsonText(head.length > 2 ? `${head.slice(0, -1)},` : '{');
  text.add(`${JSON.stringify(BY_QUEUE)}:{`);
  let index: Map<WebhookAlert, number> | undefined;
  tasks.forEach((t, n) => {
    const { own, alerts } = ownPayload(t.payload, msg);
    text.add(`${n > 0 ? ',' : ''}${JSON.stringify(t.channel)}:`);
    const ownText = JSON.stringify(own);
    if (!alerts) return text.add(ownText);
    // The section's alerts go last: its members overlay the part's, where `alerts` already has its place.
    text.add(ownText.length > 2 ? `${ownText.slice(0, -1)},"alerts":[` : '{"alerts":[');
    index ??= new Map(msg.alerts.map((a, i) => [a, i]));
    alerts.forEach((a, k) => {
      if (k > 0) text.add(',');
      const i = index!.get(a);
      text.add(i === undefined ? JSON.stringify(a) : json.alert(i));
    });
    text.add(']}');
  });
  text.add('},"alerts":');
  text.add(json.alerts());
  text.add('}');
  return { key: new PartKeys(prefix).part(newPartId()), value: packJson(text.bytes()) };
}

/** A JSON text built from strings and byte slices, written into one buffer at the end. */
class JsonText {
  private readonly parts: Array<string | Buffer> = [];

  constructor(private pending: string) {}

  add(part: string | Buffer): void {
    if (typeof part === 'string') {
      this.pending += part;
      return;
    }
    this.parts.push(this.pending, part);
    this.pending = '';
  }

  bytes(): Buffer {
    this.parts.push(this.pending);
    this.pending = '';
    let size = 0;
    for (const p of this.parts) size += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of this.parts) at += typeof p === 'string' ? out.write(p, at) : p.copy(out, at);
    return out;
  }
}

/**
 * What is one channel's own beside the delivery's common fields: its own fields, and its alerts
 * only when the channel carries fewer than the delivery's (a queue's section wins over the part's
 * common fields); the alerts come apart, to be written as received.
 */
function ownPayload(payload: NotificationPayload, msg: WebhookMessage): { own: Partial<NotificationPayload>; alerts?: WebhookAlert[] } {
  // Copied key by key rather than spread and deleted: delete turns an object into a slow
  // dictionary, and this one is serialized next.
  const own: Record<string, unknown> = {};
  let alerts: WebhookAlert[] | undefined;
  for (const [k, v] of Object.entries(payload)) {
    if (k === 'alerts') {
      if (v !== msg.alerts) alerts = v as WebhookAlert[];
    } else if (!(PART_SET.has(k) && v === msg[k as PartField])) own[k] = v;
  }
  return { own: own as Partial<NotificationPayload>, alerts };
}

type PartField = (typeof PART_FIELDS)[number];
const PART_SET: ReadonlySet<string> = new Set(PART_FIELDS);
