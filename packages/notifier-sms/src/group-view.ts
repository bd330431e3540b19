import type { LabelSet, NotificationPayload, WebhookAlert } from '@alertgw/shared';

/**
 * What a template parameter expression can read. These names are documented in the
 * config example; every one is always present, so an expression never meets an
 * undefined variable.
 */
export interface GroupView {
  /** "firing" or "resolved" (the group's status). */
  status: string;
  /** Group's alert name (group label, else common label, else the first alert's). */
  alertname: string;
  /** Highest severity in the group. */
  severity: string;
  /** Alerts in the group, including those Alertmanager truncated. */
  count: number;
  /** The first alert's summary annotation (firing alerts first), else the common one. */
  summary: string;
  /** Labels of that first alert (common labels included). */
  labels: LabelSet;
  groupLabels: LabelSet;
  /** Firing and resolved alerts in the group. */
  firing: number;
  resolved: number;
  /** True for a storm-control summary; then `merged` counts the notifications it replaces. */
  digest: boolean;
  merged: number;
  /**
   * Signed link that acks the group's firing alerts for this number's recipient (the SMS then
   * goes out per number); "" when ack links are off, nothing fires, or for a storm summary.
   */
  ackUrl: string;
  /**
   * The token alone (what follows /ack/ in ackUrl), for a template that has the link's constant
   * part approved as text (`https://alerts.example.com/ack/{3}`): Tencent refuses links in variables.
   */
  ackToken: string;
  /**
   * A 10-character code standing for that link (`<publicUrl>/ack/c/<code>` opens it), for
   * accounts whose template variables are too short for the token; stored only when a template uses it.
   */
  ackCode: string;
}

/** Builds the parameter view of one notification group. */
export function buildGroupView(payload: NotificationPayload): GroupView {
  const alerts = payload.alerts ?? [];
  const first: WebhookAlert | undefined = alerts.find((a) => a.status === 'firing') ?? alerts[0];
  const labels: LabelSet = { ...(payload.commonLabels ?? {}), ...(first?.labels ?? {}) };
  const firing = alerts.filter((a) => a.status === 'firing').length;
  return {
    status: payload.status,
    alertname: payload.groupLabels?.alertname ?? payload.commonLabels?.alertname ?? labels.alertname ?? '',
    severity: payload.severity ?? labels.severity ?? '',
    count: alerts.length + (payload.truncatedAlerts ?? 0),
    summary: first?.annotations?.summary ?? payload.commonAnnotations?.summary ?? '',
    labels,
    groupLabels: payload.groupLabels ?? {},
    firing,
    resolved: alerts.length - firing,
    digest: false,
    merged: 0,
    ackUrl: '',
    ackToken: '',
    ackCode: '',
  };
}

/** A short "what and where" of a group, e.g. "DiskFull (db-3)", for storm summaries. */
export function describeGroup(view: GroupView): string {
  const where = view.labels.instance ?? view.labels.host ?? view.labels.pod ?? view.labels.service ?? '';
  return where ? `${view.alertname} (${where})` : view.alertname;
}
