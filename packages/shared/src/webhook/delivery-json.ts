import { findRawAlertSpans, type Span } from './raw-spans';
import type { WebhookMessage } from './types';

/**
 * JSON texts of the parts of one delivery that ingest stores: cut from the body as received
 * when it is at hand (no re-serialization, no UTF-8 re-encoding), serialized otherwise. The
 * two are interchangeable: each parses to the same value.
 */
export interface DeliveryJson {
  /** The whole `alerts` array. */
  alerts(): string | Buffer;
  /** `alerts[i]`. */
  alert(i: number): string | Buffer;
  /** `alerts[i].labels`. */
  labels(i: number): string | Buffer;
  /** `alerts[i].annotations`. */
  annotations(i: number): string | Buffer;
}

/**
 * `raw` must be the exact bytes `msg` was parsed from. When they cannot be matched up (no raw
 * body, or a shape the scanner does not recognize), every part is serialized from `msg`.
 */
export function deliveryJson(msg: WebhookMessage, raw?: Buffer): DeliveryJson {
  const spans = raw ? findRawAlertSpans(raw) : undefined;
  let alertsJson: string | Buffer | undefined;
  if (raw && spans && spans.items.length === msg.alerts.length) {
    const cut = (span: Span | undefined, fallback: () => string) => (span ? raw.subarray(span[0], span[1]) : fallback());
    return {
      alerts: () => (alertsJson ??= raw.subarray(spans.alerts[0], spans.alerts[1])),
      alert: (i) => cut(spans.items[i], () => JSON.stringify(msg.alerts[i])),
      labels: (i) => cut(spans.labels[i], () => JSON.stringify(msg.alerts[i].labels)),
      annotations: (i) => cut(spans.annotations[i], () => JSON.stringify(msg.alerts[i].annotations)),
    };
  }
  return {
    alerts: () => (alertsJson ??= JSON.stringify(msg.alerts)),
    alert: (i) => JSON.stringify(msg.alerts[i]),
    labels: (i) => JSON.stringify(msg.alerts[i].labels),
    annotations: (i) => JSON.stringify(msg.alerts[i].annotations),
  };
}
