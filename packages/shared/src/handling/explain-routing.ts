import type { ChannelOptions, GatewayConfig } from '../config/types';
import type { Recipient } from '../notification';
import { createDirectory } from '../resolver/directory';
import { matches } from '../resolver/matcher';
import { parseMatchers } from '../resolver/parse-matchers';
import { createResolver, type ScheduleHit, type UnknownUser, type Unreachable } from '../resolver/resolve-recipients';
import type { AlertStatus, LabelSet, WebhookAlert } from '../webhook/types';
import { compileEscalations } from './escalation-plan';
import type { DirectoryDoc } from './types';

/** Why one route did or did not pick people for the labels. */
export interface RouteVerdict {
  name: string;
  matched: boolean;
  /** The first matcher (as written) that did not match. */
  failedMatcher?: string;
  notify: string[];
  channels?: string[];
}

/** Who one channel would notify, or why it carries nothing. */
export interface ChannelVerdict {
  channel: string;
  carried: boolean;
  why: string;
  recipients: Recipient[];
}

/** An escalation tier that would apply if the alert stayed firing and unacked. */
export interface EscalationVerdict {
  route: string;
  tier: number;
  afterMinutes: number;
  notify: string[];
  /** Users who would get the SMS, with their phone. */
  reachable: Array<{ name: string; phone: string }>;
  /** Users in the tier without a phone. */
  noPhone: string[];
  /** Chat robots the tier names. */
  robots: string[];
}

/** A schedule a rule named: who it names at the time asked about, through which layer, and until when. */
export interface ScheduleVerdict extends ScheduleHit {
  /** ISO time the same people stay on until; absent: no change within the look-ahead. */
  until?: string;
}

/** The whole answer to "who would be notified for these labels, and why". */
export interface RoutingExplanation {
  labels: LabelSet;
  status: AlertStatus;
  /** ISO time the schedules were asked about (now, unless the caller named a time). */
  at: string;
  /** Schedules the mandatory list and the matching routes named (route → schedule → layer → user). */
  onCall: ScheduleVerdict[];
  routes: RouteVerdict[];
  channels: ChannelVerdict[];
  cc: string[];
  escalations: EscalationVerdict[];
  unknownUsers: UnknownUser[];
  unreachable: Unreachable[];
}

/**
 * Explains how a directory routes one alert with these labels: each route's verdict (with the
 * matcher that failed), each channel's recipients with the rules that picked them (or why
 * the channel carries nothing), and the escalation tiers it would get. Uses the same resolver
 * and escalation rules as ingest, so the answer is what a delivery would do.
 */
export function explainRouting(input: {
  doc: DirectoryDoc;
  config: Pick<GatewayConfig, 'channels' | 'ownerLabel'>;
  labels: LabelSet;
  status?: AlertStatus;
  /** When to ask the schedules who is on (default: now); escalation tiers are asked at this time plus their delay. */
  atMs?: number;
}): RoutingExplanation {
  const { doc, config, labels } = input;
  const status = input.status ?? 'firing';
  const atMs = input.atMs ?? Date.now();
  const alert: WebhookAlert = {
    status,
    labels,
    annotations: {},
    startsAt: new Date(0).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint: 'route-test',
  };
  const enabled = Object.entries(config.channels).filter(([, o]) => o.enabled);
  const resolver = createResolver(
    { users: doc.users, robots: doc.robots, routes: doc.routes, mandatory: doc.mandatory, schedules: doc.schedules, ownerLabel: config.ownerLabel },
    enabled.map(([name]) => name),
  );
  const resolution = resolver.resolve([alert], atMs);

  const routes: RouteVerdict[] = doc.routes.map((route) => {
    const failed = route.matchers.find((m) => !matches(parseMatchers(m), labels));
    return {
      name: route.name,
      matched: failed === undefined,
      ...(failed !== undefined ? { failedMatcher: failed } : {}),
      notify: route.notify,
      ...(route.channels ? { channels: route.channels } : {}),
    };
  });

  const channels: ChannelVerdict[] = Object.entries(config.channels).map(([channel, options]) => {
    // Fixed recipients first, then whoever is on call now (their rules say through which schedule).
    const recipients = [...(resolution.byChannel[channel] ?? []), ...(resolution.scheduled[channel] ?? [])];
    const refusal = carriesNot(options, status, labels.severity ?? '');
    if (refusal) return { channel, carried: false, why: refusal, recipients: [] };
    if (recipients.length === 0) return { channel, carried: false, why: 'nobody reachable on this channel', recipients };
    return { channel, carried: true, why: `${status} and severity "${labels.severity ?? ''}" are carried`, recipients };
  });

  const directory = createDirectory(doc.users, doc.schedules, doc.robots);
  const onCall: ScheduleVerdict[] = resolution.onCall.map((hit) => {
    const until = directory.schedule(hit.schedule)?.onCallAt(atMs).until;
    return { ...hit, ...(until !== undefined ? { until: new Date(until).toISOString() } : {}) };
  });
  const escalations: EscalationVerdict[] =
    status === 'firing'
      ? compileEscalations(doc.routes)
          .tiersFor(labels)
          .map((tier) => {
            // A tier fires after its delay: a schedule is asked who will be on then.
            const expanded = tier.notify.map((t) => directory.expand(t, atMs + tier.afterMs));
            const users = expanded.flatMap((e) => (e.ok ? e.users : []));
            const robots = expanded.flatMap((e) => (e.ok ? (e.robots ?? []).map((r) => r.name) : []));
            const unique = [...new Map(users.map((u) => [u.name, u])).values()];
            return {
              route: tier.route,
              tier: tier.tier,
              afterMinutes: tier.afterMs / 60_000,
              notify: tier.notify,
              reachable: unique.filter((u) => u.phone).map((u) => ({ name: u.name, phone: u.phone! })),
              noPhone: unique.filter((u) => !u.phone).map((u) => u.name),
              robots: [...new Set(robots)],
            };
          })
      : [];

  return {
    labels,
    status,
    at: new Date(atMs).toISOString(),
    onCall,
    routes,
    channels,
    cc: channels.find((c) => c.channel === 'email')?.carried ? resolution.cc : [],
    escalations,
    unknownUsers: resolution.unknownUsers,
    unreachable: resolution.unreachable,
  };
}

/** Why a channel would not carry an alert (the same rule as ingest's task planning), or undefined. */
function carriesNot(options: ChannelOptions, status: AlertStatus, severity: string): string | undefined {
  if (!options.enabled) return 'channel disabled';
  if (!options.statuses.includes(status)) return `${status} alerts are not carried (statuses: ${options.statuses.join(', ')})`;
  if (options.severities.length > 0 && !options.severities.some((s) => s.toLowerCase() === severity.toLowerCase())) {
    return `severity "${severity}" is not carried (severities: ${options.severities.join(', ')})`;
  }
  return undefined;
}
