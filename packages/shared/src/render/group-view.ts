import type { NotificationPayload } from '../notification';
import type { LabelSet, WebhookAlert } from '../webhook/types';
import { alertsUrl, safeHttpUrl, silenceUrl } from './links';
import type { PayloadAckLinks } from '../ack-link/ack-links';
import { PAGE_STYLE } from './page-style';
import { COLOURS, severityColour } from './severity-colour';

/** Alerts rendered per section; the rest are counted, so a storm cannot make a 10 MB mail. */
export const MAX_ALERTS_PER_SECTION = 50;
/** Characters kept of any single label or annotation value. */
export const MAX_VALUE_LENGTH = 2000;

/** A name/value row (label or annotation). */
export interface FieldView {
  name: string;
  value: string;
}

/** A link that is known to be http(s). */
export interface LinkView {
  label: string;
  href: string;
}

/** One alert as the templates show it. */
export interface AlertView {
  status: 'firing' | 'resolved';
  severity: string;
  colour: string;
  /** The summary annotation, else the alert name. */
  title: string;
  /** Description annotation split into lines (templates join them with line breaks). */
  description: string[];
  /** Labels that are not common to the whole group. */
  labels: FieldView[];
  /** Every label of the alert. */
  allLabels: FieldView[];
  /** Annotations other than summary/description and the ones shown as links. */
  annotations: FieldView[];
  links: LinkView[];
  startsAt: string;
  endsAt?: string;
  duration?: string;
  fingerprint: string;
  /** Signed link that acks this alert for the reader (firing alerts, when ingest.publicUrl is set). */
  ackUrl?: string;
}

/** An alert group as the mail and chat templates show it (`it` in their ejs), in the same order and colours. */
export interface AlertGroupView {
  /** The task payload as ingest wrote it (untrusted strings; escape them). */
  payload: NotificationPayload;
  /** The mail's subject, or the chat message's title. */
  subject: string;
  status: 'firing' | 'resolved';
  statusLabel: string;
  severity: string;
  colour: string;
  title: string;
  receiver: string;
  groupKey: string;
  groupLabels: FieldView[];
  commonLabels: FieldView[];
  commonAnnotations: FieldView[];
  firing: AlertView[];
  resolved: AlertView[];
  firingCount: number;
  resolvedCount: number;
  /** Alerts in this delivery that were not rendered (MAX_ALERTS_PER_SECTION). */
  hiddenFiring: number;
  hiddenResolved: number;
  /** Alerts Alertmanager left out of the webhook (max_alerts). */
  truncatedAlerts: number;
  links: LinkView[];
  colours: typeof COLOURS;
  /** Inline CSS shared with ingest's ack page: `font`, `mono`. */
  styles: typeof PAGE_STYLE;
  /** Signed link that acks every firing alert of the group for the reader. */
  ackUrl?: string;
}

/** Whose copy this is, and the links signed for them; absent when ack links are off. */
export interface GroupAckLinks {
  links: PayloadAckLinks;
  recipient: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';
const LINKED_ANNOTATION = /(^|_)url$/i;

function cut(value: string): string {
  const s = String(value ?? '');
  return s.length > MAX_VALUE_LENGTH ? `${s.slice(0, MAX_VALUE_LENGTH - 1)}…` : s;
}

function fields(set: LabelSet, skip: (name: string) => boolean = () => false): FieldView[] {
  return Object.keys(set ?? {})
    .filter((name) => !skip(name))
    .sort()
    .map((name) => ({ name: cut(name), value: cut(set[name]) }));
}

// RFC 3339 in UTC as Alertmanager writes it (Go's RFC3339Nano): its first 19 characters are
// already what formatTime shows when every field is in range.
const UTC_TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d{1,9})?Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `Date` would read these fields as written (no Nov 31 rolled into Dec 1, no hour 24). */
function inRange(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  return month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

/**
 * `2026-11-24 13:42:14 UTC`; the input string itself when it is not a date. A UTC timestamp
 * with its fields in range is cut as it is (a template shows one per alert, and going through
 * Date and toISOString cost ~1 µs each); anything else, an offset or a field that rolls over,
 * goes through Date, with the same result (test/render checks both ways agree).
 */
export function formatTime(iso: string): string {
  const m = typeof iso === 'string' ? UTC_TIMESTAMP.exec(iso) : null;
  if (m && inRange(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))) {
    return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  }
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return cut(iso);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Human duration such as `3m 10s` or `2d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

function alertView(alert: WebhookAlert, payload: NotificationPayload, ack?: GroupAckLinks): AlertView {
  const labels = alert.labels ?? {};
  const annotations = alert.annotations ?? {};
  const severity = labels.severity ?? '';
  const links: LinkView[] = [];
  const source = safeHttpUrl(alert.generatorURL);
  if (source) links.push({ label: 'Source', href: source });
  const runbook = safeHttpUrl(annotations.runbook_url);
  if (runbook) links.push({ label: 'Runbook', href: runbook });
  for (const name of Object.keys(annotations).sort()) {
    if (name === 'runbook_url' || !LINKED_ANNOTATION.test(name)) continue;
    const href = safeHttpUrl(annotations[name]);
    if (href) links.push({ label: cut(name.replace(LINKED_ANNOTATION, '').replace(/_/g, ' ') || name), href });
  }
  const silence = alert.status === 'firing' ? silenceUrl(payload.externalURL, labels) : undefined;
  if (silence) links.push({ label: 'Silence', href: silence });

  const shownAsLink = (name: string) => LINKED_ANNOTATION.test(name) && safeHttpUrl(annotations[name]) !== undefined;
  const ended = alert.endsAt && alert.endsAt !== ZERO_TIME && alert.status === 'resolved';
  const duration = ended ? Date.parse(alert.endsAt) - Date.parse(alert.startsAt) : NaN;
  return {
    status: alert.status,
    severity: cut(severity),
    colour: alert.status === 'resolved' ? COLOURS.resolved : severityColour(severity),
    title: cut(annotations.summary || labels.alertname || 'Alert'),
    description: annotations.description ? cut(annotations.description).split(/\r\n|\r|\n/) : [],
    labels: fields(labels, (name) => payload.commonLabels[name] === labels[name]),
    allLabels: fields(labels),
    annotations: fields(annotations, (name) => name === 'summary' || name === 'description' || shownAsLink(name)),
    links,
    startsAt: formatTime(alert.startsAt),
    endsAt: ended ? formatTime(alert.endsAt) : undefined,
    duration: Number.isFinite(duration) ? formatDuration(duration) : undefined,
    fingerprint: cut(alert.fingerprint ?? ''),
    ackUrl: alert.status === 'firing' ? ack?.links.alert(alert.fingerprint, ack.recipient) : undefined,
  };
}

/** The alert name a group is about: group label, else common label, else the first alert's. */
export function groupAlertName(payload: NotificationPayload): string | undefined {
  return payload.groupLabels.alertname ?? payload.commonLabels.alertname ?? payload.alerts[0]?.labels.alertname;
}

/** Turns a task payload into the prepared, link-checked data the templates render. */
export function buildAlertGroupView(payload: NotificationPayload, subject: string, ack?: GroupAckLinks): AlertGroupView {
  const firing = payload.alerts.filter((a) => a.status === 'firing');
  const resolved = payload.alerts.filter((a) => a.status !== 'firing');
  const status = payload.status === 'firing' ? 'firing' : 'resolved';
  const groupSilenceLabels = Object.keys(payload.groupLabels).length ? payload.groupLabels : payload.commonLabels;
  const links: LinkView[] = [];
  const am = alertsUrl(payload.externalURL, payload.receiver);
  if (am) links.push({ label: 'View in Alertmanager', href: am });
  const silence = status === 'firing' ? silenceUrl(payload.externalURL, groupSilenceLabels) : undefined;
  if (silence) links.push({ label: 'Silence this group', href: silence });
  const name = groupAlertName(payload);
  return {
    payload,
    subject,
    status,
    statusLabel: status === 'firing' ? 'FIRING' : 'RESOLVED',
    severity: cut(payload.severity ?? ''),
    colour: status === 'firing' ? severityColour(payload.severity) : COLOURS.resolved,
    title: cut(name ?? (fields(payload.groupLabels).map((f) => `${f.name}=${f.value}`).join(', ') || 'Alert group')),
    receiver: cut(payload.receiver),
    groupKey: cut(payload.groupKey),
    groupLabels: fields(payload.groupLabels, (n) => n === 'alertname'),
    commonLabels: fields(payload.commonLabels, (n) => n === 'alertname' || Object.hasOwn(payload.groupLabels, n)),
    commonAnnotations: fields(payload.commonAnnotations ?? {}),
    firing: firing.slice(0, MAX_ALERTS_PER_SECTION).map((a) => alertView(a, payload, ack)),
    resolved: resolved.slice(0, MAX_ALERTS_PER_SECTION).map((a) => alertView(a, payload)),
    firingCount: firing.length,
    resolvedCount: resolved.length,
    hiddenFiring: Math.max(0, firing.length - MAX_ALERTS_PER_SECTION),
    hiddenResolved: Math.max(0, resolved.length - MAX_ALERTS_PER_SECTION),
    truncatedAlerts: payload.truncatedAlerts ?? 0,
    links,
    colours: COLOURS,
    styles: PAGE_STYLE,
    ackUrl: ack?.links.group(ack.recipient),
  };
}
