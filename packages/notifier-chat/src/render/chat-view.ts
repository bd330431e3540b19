import { buildAlertGroupView, COLOURS, severityColour, type DigestSnapshot, type FieldView, type GroupAckLinks, type LinkView, type NotificationPayload } from '@alertgw/shared';

/** Characters kept of a value in a chat message (the mail keeps 2000; a chat line must stay short). */
export const MAX_CHAT_VALUE = 200;

/** Longest link kept: a silence link pre-filled with huge labels is not worth a message that cannot be sent. */
export const MAX_LINK_LENGTH = 2048;

/** One line of the alert list. */
export interface ChatAlertLine {
  status: 'firing' | 'resolved';
  severity: string;
  colour: string;
  /** Summary annotation, else the alert name (or, in a summary, the merged group). */
  title: string;
  /** The alert's instance (or pod, host); '' when it has none. */
  instance: string;
  /** The alert's source (Prometheus graph) link, when http(s). */
  source?: string;
  /** The signed ack link of a firing alert, when ack links are on. */
  ack?: string;
}

/** A message before it is cut to the provider's size: every line it could list. */
export interface ChatView {
  status: 'firing' | 'resolved';
  /** "FIRING:3", "RESOLVED", "SUMMARY". */
  statusLabel: string;
  severity: string;
  colour: string;
  /** The alert name (or the summary's title). */
  title: string;
  groupLabels: FieldView[];
  /** The lines it could list, in order (firing first, as in the mail). */
  lines: ChatAlertLine[];
  /** How many things the message stands for (alerts, or merged groups): lines not shown count as "more". */
  total: number;
  /** "alert" or "alert group". */
  unit: string;
  links: LinkView[];
}

const cut = (s: string): string => (s.length > MAX_CHAT_VALUE ? `${Array.from(s).slice(0, MAX_CHAT_VALUE - 1).join('')}…` : s);

/**
 * The chat view of an alert group, from the same group view (order, colours, links) the mail
 * renders. With `ack`, firing alerts and the group carry ack links signed for its recipient
 * (the robot: whoever in the chat group clicks acks on the robot's behalf, and the page says so).
 */
export function chatViewOf(payload: NotificationPayload, ack?: GroupAckLinks): ChatView {
  const g = buildAlertGroupView(payload, '', ack);
  const firingCount = g.firingCount;
  const lines: ChatAlertLine[] = [...g.firing, ...g.resolved].map((a) => ({
    status: a.status,
    severity: cut(a.severity),
    colour: a.colour,
    title: cut(a.title),
    instance: cut(a.allLabels.find((f) => f.name === 'instance' || f.name === 'pod' || f.name === 'host')?.value ?? ''),
    ...sourceOf(a.links),
    ...(a.ackUrl ? { ack: a.ackUrl } : {}),
  }));
  return {
    status: g.status,
    statusLabel: g.status === 'firing' ? `FIRING:${firingCount}` : 'RESOLVED',
    severity: cut(g.severity),
    colour: g.colour,
    title: cut(g.title),
    groupLabels: g.groupLabels.map((f) => ({ name: cut(f.name), value: cut(f.value) })),
    lines,
    total: g.firingCount + g.resolvedCount + g.truncatedAlerts,
    unit: 'alert',
    // The group's ack link first: it is what someone woken by the message is looking for.
    links: [...(g.ackUrl ? [{ label: 'Ack', href: g.ackUrl }] : []), ...g.links].filter((l) => l.href.length <= MAX_LINK_LENGTH),
  };
}

function sourceOf(links: LinkView[]): { source?: string } {
  const source = links.find((l) => l.label === 'Source' && l.href.length <= MAX_LINK_LENGTH);
  return source ? { source: source.href } : {};
}

/** What a merged notification leaves in its robot's digest (BudgetNotification.brief). */
export interface ChatBrief {
  what: string;
  severity: string;
  status: 'firing' | 'resolved';
  rank: number;
  firing: number;
  resolved: number;
}

/**
 * The chat view of a robot's summary: the groups merged while it was over its budget, most
 * urgent first (critical groups lead within the robot's budget), each with its alert counts.
 */
export function digestChatView(s: DigestSnapshot, externalLinks: LinkView[]): ChatView {
  const briefs = (s.items as unknown as ChatBrief[]).slice().sort((a, b) => a.rank - b.rank);
  const top = briefs[0];
  const colour = s.firing > 0 ? severityColour(top?.severity ?? s.latest.severity) : COLOURS.resolved;
  return {
    status: s.firing > 0 ? 'firing' : 'resolved',
    statusLabel: 'SUMMARY',
    severity: cut(top?.severity ?? s.latest.severity),
    colour,
    title: `${s.count} alert group${s.count === 1 ? '' : 's'} while this robot was over its budget`,
    groupLabels: [
      { name: 'alerts firing', value: String(s.firing) },
      ...(s.resolved > 0 ? [{ name: 'resolved', value: String(s.resolved) }] : []),
      { name: 'since', value: new Date(s.firstAt).toISOString().slice(0, 19).replace('T', ' ') + ' UTC' },
    ],
    lines: briefs.map((b) => ({
      status: b.status,
      severity: cut(b.severity),
      colour: b.status === 'resolved' ? COLOURS.resolved : severityColour(b.severity),
      title: cut(b.what),
      instance: b.status === 'resolved' ? `${b.resolved} resolved` : `${b.firing} firing`,
    })),
    total: s.count,
    unit: 'alert group',
    links: externalLinks,
  };
}
