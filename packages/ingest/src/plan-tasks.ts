import { severityRank, type ChannelOptions, type GatewayConfig, type NotificationPayload, type Recipient, type UserConfig, type WebhookAlert, type WebhookMessage } from '@alertgw/shared';
import { channelTraits } from './channel-traits';

/** What ingest needs from the shared resolver: recipients per channel and extra Cc for a set of alerts. */
export interface RecipientResolver {
  resolve(alerts: WebhookAlert[], atMs?: number): {
    byChannel: Record<string, Recipient[]>;
    /** Schedule targets, resolved again at each send; absent or empty: none. */
    sendTimeTargets?: Record<string, Array<{ target: string; rule: string }>>;
    /** Who those schedules name now: a channel with nobody fixed still has work if somebody is on call. */
    scheduled?: Record<string, Recipient[]>;
    cc: string[];
    unknownUsers: Array<{ name: string; rule: string }>;
    unreachable: Array<{ user: string; channel: string }>;
    /** Every user picked, on any channel (for channels whose messages mention them). */
    people?: UserConfig[];
  };
}

/** One task to enqueue: the channel's whole payload and its priority. */
export interface PlannedTask {
  channel: string;
  severityRank: number;
  payload: NotificationPayload;
}

/** The tasks of one delivery, and why the other channels get none. */
export interface TaskPlan {
  tasks: PlannedTask[];
  /** channel → reason it carries nothing of this delivery. */
  skipped: Record<string, string>;
  /** Names the routing rules gave that are not in the directory ("name (rule)"). */
  unknownUsers: string[];
  /** Users picked for a channel without an address on it ("name@channel"). */
  unreachable: string[];
  /** Fingerprints of firing alerts left out of a task because they are acked. */
  suppressed: string[];
}

/** Everything planTasks reads besides the delivery. */
export interface PlanContext {
  config: Pick<GatewayConfig, 'channels' | 'queue' | 'email'>;
  resolver: RecipientResolver;
  /** Channels that have a queue, in a stable order. */
  channels: string[];
  deliveryKey: string;
  receivedAt: Date;
  /** Acks in force by fingerprint: a firing alert acked for its startsAt gets no reminder. */
  acked?: ReadonlyMap<string, { startsAt: string }>;
}

/**
 * Turns one delivery into at most one task per channel. Each channel carries only the
 * alerts whose status and severity its options allow (resolved SMS are off by default),
 * its recipients are resolved from those alerts only, and the task's priority is the
 * highest severity among them. Firing alerts acked for their current firing are left out
 * (resolved ones never are); a channel left with nothing gets no task.
 */
export function planTasks(msg: WebhookMessage, ctx: PlanContext): TaskPlan {
  const plan: TaskPlan = { tasks: [], skipped: {}, unknownUsers: [], unreachable: [], suppressed: [] };
  const acked = ctx.acked;
  const isAcked = (a: WebhookAlert) => a.status === 'firing' && acked!.get(a.fingerprint)?.startsAt === a.startsAt;
  // Channels carrying the same alerts share one resolver call (the common case: all of them).
  const resolutions = new Map<string, ReturnType<RecipientResolver['resolve']>>();
  for (const channel of ctx.channels) {
    const options = ctx.config.channels[channel];
    if (!options || !options.enabled) {
      plan.skipped[channel] = 'channel disabled';
      continue;
    }
    let alerts = msg.alerts.filter((a) => carries(options, a));
    // The same array for every channel carrying all of them, so the payloads can share one serialization.
    if (alerts.length === msg.alerts.length) alerts = msg.alerts;
    if (alerts.length === 0) {
      plan.skipped[channel] = 'no alert with a status and severity this channel carries';
      continue;
    }
    if (acked && acked.size > 0 && alerts.some(isAcked)) {
      for (const a of alerts) if (isAcked(a)) addOnce(plan.suppressed, a.fingerprint);
      alerts = alerts.filter((a) => !isAcked(a));
      if (alerts.length === 0) {
        plan.skipped[channel] = 'every alert it would carry is acked';
        continue;
      }
    }
    const subset = alerts.length === msg.alerts.length ? '*' : alerts.map((a) => a.fingerprint).join(',');
    let resolution = resolutions.get(subset);
    if (!resolution) {
      resolution = ctx.resolver.resolve(alerts, ctx.receivedAt.getTime());
      resolutions.set(subset, resolution);
      for (const u of resolution.unknownUsers) addOnce(plan.unknownUsers, `${u.name} (${u.rule})`);
      for (const u of resolution.unreachable) addOnce(plan.unreachable, `${u.user}@${u.channel}`);
    }
    const recipients = resolution.byChannel[channel] ?? [];
    const sendTimeTargets = resolution.sendTimeTargets?.[channel] ?? [];
    if (recipients.length === 0 && (resolution.scheduled?.[channel] ?? []).length === 0) {
      plan.skipped[channel] = sendTimeTargets.length ? 'nobody on call reachable on this channel' : 'no recipient reachable on this channel';
      continue;
    }
    const top = highestSeverity(alerts, ctx.config.queue);
    const payload: NotificationPayload = {
      channel,
      receiver: msg.receiver,
      groupKey: msg.groupKey,
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      severity: top.severity,
      externalURL: msg.externalURL,
      groupLabels: msg.groupLabels,
      commonLabels: msg.commonLabels,
      commonAnnotations: msg.commonAnnotations,
      truncatedAlerts: msg.truncatedAlerts,
      alerts,
      recipients,
      deliveryKey: ctx.deliveryKey,
      receivedAt: ctx.receivedAt.toISOString(),
    };
    // On-call schedules are not frozen here: each send attempt asks who is on call then.
    if (sendTimeTargets.length) payload.sendTimeTargets = sendTimeTargets;
    const traits = channelTraits(channel);
    if (traits.cc) {
      const cc = uniqueAddresses([...traits.cc(ctx.config), ...resolution.cc], recipients);
      if (cc.length) payload.cc = cc;
    }
    if (traits.owners) {
      const owners = traits.owners(resolution.people ?? []);
      if (owners.length) payload.owners = owners;
    }
    plan.tasks.push({ channel, severityRank: top.rank, payload });
  }
  return plan;
}

function carries(options: ChannelOptions, alert: WebhookAlert): boolean {
  if (!options.statuses.includes(alert.status)) return false;
  if (options.severities.length === 0) return true;
  const severity = (alert.labels.severity ?? '').toLowerCase();
  return options.severities.some((s) => s.toLowerCase() === severity);
}

/** The most urgent severity among the alerts (lowest rank; the first one on a tie). */
export function highestSeverity(alerts: WebhookAlert[], queue: GatewayConfig['queue']): { severity: string; rank: number } {
  let best = { severity: '', rank: Number.POSITIVE_INFINITY };
  for (const alert of alerts) {
    const severity = alert.labels.severity ?? '';
    const rank = severityRank(severity, queue.severityRanks, queue.unknownSeverityRank);
    if (rank < best.rank) best = { severity, rank };
  }
  return best;
}

/** Cc addresses once each (case-insensitive), leaving out those already in To. */
function uniqueAddresses(cc: string[], to: Recipient[]): string[] {
  const seen = new Set(to.map((r) => r.address.toLowerCase()));
  const out: string[] = [];
  for (const address of cc) {
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(address);
  }
  return out;
}

function addOnce(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
