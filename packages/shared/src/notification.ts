import type { AlertStatus, LabelSet, WebhookAlert } from './webhook/types';

/** A person (or mailbox/phone) a notification goes to, with the rules that picked them. */
export interface Recipient {
  /** User name from the directory. */
  name: string;
  /** Email address for the email channel, E.164 phone number for the SMS channel. */
  address: string;
  /** Why this recipient was chosen, e.g. "mandatory", "route:db-team", "label:owner". */
  rules: string[];
}

/**
 * What ingest writes into a channel's task: everything the notifier needs, so that a
 * notifier never reads routing config.
 */
export interface NotificationPayload {
  channel: string;
  receiver: string;
  groupKey: string;
  status: AlertStatus;
  /** Highest severity in the group (the task's priority). */
  severity: string;
  externalURL: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  truncatedAlerts: number;
  alerts: WebhookAlert[];
  recipients: Recipient[];
  /** Extra copy addresses (email only), from config. */
  cc?: string[];
  /** Idempotency key of the delivery that produced this task. */
  deliveryKey: string;
  /** ISO time ingest accepted the delivery. */
  receivedAt: string;
}
