import { hash } from 'node:crypto';
import type { WebhookMessage } from '@alertgw/shared';

/**
 * The delivery's idempotency key: sha256 over receiver, groupKey, group status and the
 * sorted (fingerprint, status, startsAt, endsAt) of its alerts. An Alertmanager retry or
 * the HA twin's copy of the same notification gets the same key; a group whose alerts
 * changed (one more firing, one resolved) gets a new one.
 */
export function deliveryKey(msg: WebhookMessage): string {
  // No text can move from one field into another: the schema allows no NUL in status and
  // the RFC 3339 times, the free-text fingerprint is length-prefixed, and the outer array
  // is JSON. (Cheaper than JSON-encoding every tuple; this runs on every delivery.)
  const alerts = msg.alerts.map((a) => `${a.fingerprint.length}:${a.fingerprint}\u0000${a.status}\u0000${a.startsAt}\u0000${a.endsAt}`).sort();
  // One-shot hash: no Hash object per delivery.
  return hash('sha256', JSON.stringify([msg.receiver, msg.groupKey, msg.status, alerts]), 'hex');
}
