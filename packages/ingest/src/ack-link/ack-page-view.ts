import { formatTime, PAGE_STYLE, severityColour } from '@alertgw/shared';
import type { AckRecord, LabelSet, RedisClient } from '@alertgw/shared';
import { AlertKeys } from '@alertgw/shared';

/** Alerts listed on one page; a storm group's link acks them all, the page shows the first ones. */
export const MAX_LISTED = 50;
/** Labels that say where an alert is, shown under its title when present. */
const WHERE_LABELS = ['instance', 'host', 'pod', 'service', 'job', 'cluster'];
const MAX_TEXT = 300;

/** One alert as the page shows it, and its state for the ack. */
export interface AckAlertState {
  fingerprint: string;
  alertname: string;
  /** false when no record exists any more (expired, or never seen). */
  known: boolean;
  status: string;
  title: string;
  severity: string;
  colour: string;
  where: string;
  startsAt: string;
  /** The ack of the current firing, if any: who, when, through what. */
  ack?: { by: string; at: string; via?: string };
}

/** A message box on the page. */
export interface PageNotice {
  tone: 'ok' | 'warn' | 'error';
  text: string;
}

/** Everything ack-page.ejs gets as `it`. */
export interface AckPageView {
  styles: typeof PAGE_STYLE;
  heading: string;
  notices: PageNotice[];
  /** Whom the link was sent to: the ack is recorded as theirs. */
  recipient?: string;
  alerts: AckAlertState[];
  hidden: number;
  /** Absent when there is nothing left to ack (or the link is refused). */
  form?: { action: string; silences: string[]; label: string };
  expiresAt?: string;
}

const cut = (text: unknown) => {
  const s = String(text ?? '');
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
};

function parse<T>(json: string | null | undefined): T | undefined {
  if (!json) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}

/** Reads the state of each alert a link names (one pipeline), in the order given. */
export async function readAlertStates(redis: RedisClient, prefix: string, fingerprints: readonly string[]): Promise<AckAlertState[]> {
  const keys = new AlertKeys(prefix);
  const pipeline = redis.pipeline();
  for (const fp of fingerprints) pipeline.hmget(keys.record(fp), 'status', 'severity', 'labels', 'annotations', 'startsAt', 'ack');
  const replies = (await pipeline.exec()) ?? [];
  return fingerprints.map((fingerprint, i) => {
    const [err, fields] = replies[i] ?? [];
    if (err) throw err;
    const [status, severity, labelsJson, annotationsJson, startsAt, ackJson] = (fields ?? []) as Array<string | null>;
    const labels = parse<LabelSet>(labelsJson) ?? {};
    const annotations = parse<LabelSet>(annotationsJson) ?? {};
    const ack = parse<AckRecord>(ackJson);
    const where = WHERE_LABELS.filter((n) => Object.hasOwn(labels, n)).slice(0, 2).map((n) => `${n}=${labels[n]}`).join(' · ');
    return {
      fingerprint,
      alertname: cut(labels.alertname ?? ''),
      known: Boolean(status),
      status: status ?? 'unknown',
      title: cut(annotations.summary || labels.alertname || fingerprint),
      severity: cut(severity ?? ''),
      colour: status === 'resolved' ? PAGE_STYLE.colours.resolved : severityColour(severity ?? ''),
      where: cut(where),
      startsAt: startsAt ? formatTime(startsAt) : '',
      // An ack belongs to one firing: one of an earlier firing does not count for this one.
      ack: ack && status === 'firing' && ack.startsAt === startsAt ? { by: cut(ack.by), at: formatTime(ack.at), ...(ack.via ? { via: cut(ack.via) } : {}) } : undefined,
    };
  });
}

/** Firing and not yet acked: what the Ack button would ack. */
export function ackable(alert: AckAlertState): boolean {
  return alert.known && alert.status === 'firing' && !alert.ack;
}

/** The page for a link's alerts: their states, who acked, and the form while something is left to ack. */
export function alertsPage(input: {
  alerts: AckAlertState[];
  recipient: string;
  expiresAtMs: number;
  action: string;
  silences: string[];
  notices?: PageNotice[];
}): AckPageView {
  const { alerts } = input;
  const open = alerts.filter(ackable).length;
  const notices = [...(input.notices ?? [])];
  if (open === 0 && !notices.length) notices.push(summaryNotice(alerts));
  return {
    styles: PAGE_STYLE,
    heading: alerts.length === 1 ? alerts[0]!.title : groupHeading(alerts),
    notices,
    recipient: cut(input.recipient),
    alerts: alerts.slice(0, MAX_LISTED),
    hidden: Math.max(0, alerts.length - MAX_LISTED),
    form: open > 0 ? { action: input.action, silences: input.silences, label: buttonLabel(open, alerts.length) } : undefined,
    expiresAt: formatTime(new Date(input.expiresAtMs).toISOString()),
  };
}

/** "ReplicationLag · 3 alerts" when they share a name, else "3 alerts". */
function groupHeading(alerts: AckAlertState[]): string {
  const names = new Set(alerts.map((a) => a.alertname));
  const [name] = names;
  return names.size === 1 && name ? `${name} · ${alerts.length} alerts` : `${alerts.length} alerts`;
}

/** "Ack", "Ack all 3", or "Ack the other 2" when some were acked already. */
function buttonLabel(open: number, total: number): string {
  if (total === 1) return 'Ack';
  return open === total ? `Ack all ${total}` : `Ack the other ${open}`;
}

/** Why nothing is left to ack: acked by someone, resolved, or gone. */
export function summaryNotice(alerts: AckAlertState[]): PageNotice {
  const acked = alerts.filter((a) => a.ack);
  if (acked.length > 0) {
    const who = [...new Set(acked.map((a) => a.ack!.by))].join(', ');
    return { tone: 'ok', text: `Already acked by ${who}${acked.length === 1 ? ` at ${acked[0]!.ack!.at}` : ''}. Nothing left to ack.` };
  }
  if (alerts.some((a) => a.known)) return { tone: 'warn', text: 'The alert has resolved: there is nothing to ack.' };
  return { tone: 'warn', text: 'alertgw no longer has a record of this alert (it resolved long ago, or expired).' };
}

/** A page that only says why: a refused link, a server problem. */
export function messagePage(heading: string, notice: PageNotice): AckPageView {
  return { styles: PAGE_STYLE, heading, notices: [notice], alerts: [], hidden: 0 };
}
