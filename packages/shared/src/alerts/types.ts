import type { AlertStatus, LabelSet } from '../webhook/types';

/** One alert as the record store keeps it, by fingerprint. */
export interface AlertRecord {
  fingerprint: string;
  status: AlertStatus;
  /** Value of the `severity` label ("" when the alert has none). */
  severity: string;
  labels: LabelSet;
  annotations: LabelSet;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  /** Receiver and group of the last delivery that carried it. */
  receiver: string;
  groupKey: string;
  /** ISO times ingest first and last saw it. */
  firstSeen: string;
  lastSeen: string;
  /** Fields added later by others (e.g. ack, comments), kept as stored. */
  extra?: Record<string, string>;
}

/**
 * One timeline entry. Types so far: `received` (status, receiver, groupKey, deliveryKey),
 * `task-created` (channel, taskId, duplicate), `notification` (written by notifiers:
 * channel, taskId, results).
 */
export interface TimelineEvent {
  /** ISO time. */
  at: string;
  type: string;
  [field: string]: unknown;
}
