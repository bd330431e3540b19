import { digestPayload as summaryPayload, type NotificationPayload } from '@alertgw/shared';
import type { GroupView } from './group-view';
import type { DigestSnapshot } from './storm-control';


/** Marks an SMS task as the storm summary of one phone's digest generation. */
export interface DigestRef {
  phone: string;
  gen: number;
}

/** The SMS queue's task payload: what ingest writes, or a storm summary the notifier wrote. */
export type SmsPayload = NotificationPayload & { digest?: DigestRef };

/** The payload of a phone's summary task (see the shared digestPayload). */
export function digestPayload(source: SmsPayload, phone: string, gen: number, now: Date): SmsPayload {
  return summaryPayload(source, phone, { phone, gen }, now);
}

/** "12 more alerts firing, latest: DiskFull (db-3); see mail". */
export function digestSentence(s: DigestSnapshot): string {
  const parts: string[] = [];
  if (s.firing > 0) parts.push(`${s.firing} more alert${s.firing === 1 ? '' : 's'} firing`);
  if (s.resolved > 0) parts.push(`${s.resolved} resolved`);
  if (parts.length === 0) parts.push(`${s.count} more notification${s.count === 1 ? '' : 's'}`);
  return `${parts.join(', ')}, latest: ${s.latest.what}; see mail`;
}

/**
 * The parameter view of a summary: the same fields as a group, so the approved templates
 * work unchanged; `summary` is the digest sentence, `count` the alerts it stands for,
 * `merged` the notifications, and `digest` is true for templates that want to tell.
 */
export function digestView(s: DigestSnapshot): GroupView {
  return {
    status: s.firing > 0 ? 'firing' : 'resolved',
    alertname: s.latest.alertname,
    severity: s.latest.severity,
    count: s.firing + s.resolved,
    summary: digestSentence(s),
    labels: {},
    groupLabels: {},
    firing: s.firing,
    resolved: s.resolved,
    digest: true,
    merged: s.count,
    // A summary stands for many groups, some long gone: it carries no ack link.
    ackUrl: '',
    ackToken: '',
    ackCode: '',
  };
}
