/** Alertmanager webhook payload, version "4" (alertmanager/notify/webhook). Unknown fields are kept. */

/** A single alert's state as Alertmanager reports it. */
export type AlertStatus = 'firing' | 'resolved';

/** Label or annotation set: name → value, both strings. */
export type LabelSet = Record<string, string>;

/** One alert inside a webhook delivery. */
export interface WebhookAlert {
  status: AlertStatus;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  /** "0001-01-01T00:00:00Z" while firing with no end known. */
  endsAt: string;
  /** Empty string when the sender gave none. */
  generatorURL: string;
  fingerprint: string;
  [extra: string]: unknown;
}

/** One webhook delivery: an alert group as Alertmanager sends it. */
export interface WebhookMessage {
  version: '4';
  receiver: string;
  status: AlertStatus;
  alerts: WebhookAlert[];
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  externalURL: string;
  groupKey: string;
  truncatedAlerts: number;
  [extra: string]: unknown;
}
