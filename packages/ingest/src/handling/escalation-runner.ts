import { randomBytes } from 'node:crypto';
import { HandlingKeys, MAX_TIMELINE, parseEscalationMember, runHandlingScript } from '@alertgw/shared';
import type { Directory, LabelSet, Logger, NotificationPayload, Recipient, RedisClient, TaskQueue, WebhookAlert } from '@alertgw/shared';
import { CoalescedRun } from './coalesced-run';
import type { RedisEvents } from './redis-events';

/** What the escalation loop needs. */
export interface EscalationRunnerOptions {
  redis: RedisClient;
  prefix: string;
  /** Wakes the loop when an escalation is scheduled ("wake" on the handling channel). */
  events?: RedisEvents;
  /** The SMS queue; without it (channel disabled) escalations are recorded as not sent. */
  smsQueue?: TaskQueue<NotificationPayload>;
  /** The directory in force, read when an escalation fires (so phones are current). */
  directory: () => Directory;
  /** Queue priority of a severity label value. */
  severityRank: (severity: string) => number;
  logger: Logger;
  /** How long a claimed escalation is owned before another replica may retry it. */
  leaseMs?: number;
  /** Longest sleep when nothing is due (a missed wake-up costs at most this). */
  idleCheckMs?: number;
  /** Most escalations claimed per script call. */
  batch?: number;
  maxTimeline?: number;
}

/** One escalation a replica claimed. */
interface Claimed {
  member: string;
  fingerprint: string;
  tierId: string;
  startsAt: string;
  tier: { route: string; tier: number; afterMinutes: number; notify: string[] };
  labels: LabelSet;
  annotations: LabelSet;
  receiver: string;
  groupKey: string;
  generatorURL: string;
}

/** The dedup key of one escalation SMS: one task per alert, firing and tier, whoever enqueues it. */
export function escalationDedupKey(fingerprint: string, startsAt: string, tierId: string): string {
  return `escalation:${fingerprint}:${startsAt}:${tierId}`;
}

/** Idempotency keys of escalation SMS are kept this long (covers any lease retry). */
const DEDUP_TTL_MS = 86_400_000;
const NO_END = '0001-01-01T00:00:00Z';

/**
 * Fires due escalations. Any number of replicas run one each: the claim script hands every
 * due escalation to exactly one of them (with a lease), the SMS task is enqueued with an
 * idempotency key per alert, firing and tier (a retry after a crash finds it), and the
 * completion marks the tier fired and appends the `escalated` event. Between claims the loop
 * sleeps until the next due time (at most idleCheckMs), and a "wake" message, published when
 * an escalation is scheduled, cuts the sleep short: idle, it costs one script call per idleCheckMs.
 */
export class EscalationRunner {
  readonly workerId = `esc-${randomBytes(4).toString('hex')}`;
  private readonly keys: HandlingKeys;
  private readonly leaseMs: number;
  private readonly idleCheckMs: number;
  private readonly batch: number;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  /** How long to sleep after the last check, set by each check. */
  private sleepMs = 0;
  private readonly run = new CoalescedRun(
    () => this.check(),
    () => {
      this.timer = setTimeout(() => this.kick(), this.sleepMs);
      this.timer.unref();
    },
  );

  constructor(private readonly opts: EscalationRunnerOptions) {
    this.keys = new HandlingKeys(opts.prefix);
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.idleCheckMs = opts.idleCheckMs ?? 5_000;
    this.batch = opts.batch ?? 50;
  }

  /** Subscribes to wake-ups and runs the first check at once. */
  async start(): Promise<void> {
    this.run.resume();
    await this.opts.events?.on(this.keys.events, (message) => {
      if (message === 'wake') this.kick();
    });
    this.kick();
  }

  /** Stops the loop; resolves when a check in progress has finished. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.run.stop();
  }

  /** Runs a check now (or right after the one in progress). */
  kick(): void {
    clearTimeout(this.timer);
    this.run.kick();
  }

  private async check(): Promise<void> {
    try {
      this.sleepMs = await this.runOnce();
      if (this.failing) this.opts.logger.info('escalations: Redis answers again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.opts.logger.error('escalations: check failed; retrying', { err: (err as Error).message });
      this.failing = true;
      this.sleepMs = Math.min(1000, this.idleCheckMs);
    }
  }

  /** Claims and fires what is due; returns how long to sleep before the next check. */
  async runOnce(): Promise<number> {
    const k = this.keys;
    const now = Date.now();
    const reply = (await runHandlingScript(this.opts.redis, 'claimEscalations', [k.due, k.inflight, k.acks], [k.base, now, this.leaseMs, this.batch])) as [
      number,
      ...Array<string[]>,
    ];
    const [next, ...rows] = reply;
    await Promise.all(rows.map((row) => this.fire(parseClaim(row))));
    if (rows.length >= this.batch) return 0;
    const nextDue = Number(next);
    return nextDue < 0 ? this.idleCheckMs : Math.max(0, Math.min(this.idleCheckMs, nextDue - Date.now()));
  }

  private async fire(c: Claimed): Promise<void> {
    const { logger } = this.opts;
    const rule = `escalation:${c.tier.route}#${c.tier.tier}`;
    const directory = this.opts.directory();
    const recipients: Recipient[] = [];
    const unknown: string[] = [];
    const noPhone: string[] = [];
    for (const target of c.tier.notify) {
      const expansion = directory.expand(target);
      if (!expansion.ok) {
        unknown.push(target);
        continue;
      }
      for (const user of expansion.users) {
        const phone = user.phone?.trim();
        if (!phone) {
          if (!noPhone.includes(user.name)) noPhone.push(user.name);
        } else if (!recipients.some((r) => r.address === phone)) recipients.push({ name: user.name, address: phone, rules: [rule] });
      }
    }
    const event: Record<string, unknown> = {
      at: new Date().toISOString(),
      type: 'escalated',
      by: 'system',
      route: c.tier.route,
      tier: c.tier.tier,
      afterMinutes: c.tier.afterMinutes,
      notify: c.tier.notify,
      recipients: recipients.map((r) => r.name),
      ...(unknown.length ? { unknownTargets: unknown } : {}),
      ...(noPhone.length ? { noPhone } : {}),
    };
    if (!this.opts.smsQueue) {
      event.error = 'the sms channel is disabled: nobody was notified';
      logger.error('escalation due but the sms channel is disabled', { fingerprint: c.fingerprint, route: c.tier.route, tier: c.tier.tier });
    } else if (recipients.length === 0) {
      event.error = 'nobody in this tier has a phone';
      logger.warn('escalation due but nobody in the tier can get an SMS', { fingerprint: c.fingerprint, route: c.tier.route, tier: c.tier.tier });
    } else {
      // A failure here leaves the lease to run out: another check (any replica) retries it.
      const result = await this.opts.smsQueue.enqueue({
        payload: this.payload(c, recipients),
        severityRank: this.opts.severityRank(c.labels.severity ?? ''),
        dedupKey: escalationDedupKey(c.fingerprint, c.startsAt, c.tierId),
        dedupTtlMs: DEDUP_TTL_MS,
      });
      event.taskId = result.id;
      if (result.duplicate) event.duplicate = true;
      logger.info('escalation fired', { fingerprint: c.fingerprint, route: c.tier.route, tier: c.tier.tier, taskId: result.id, recipients: recipients.length, duplicate: result.duplicate });
    }
    const k = this.keys;
    await runHandlingScript(
      this.opts.redis,
      'completeEscalation',
      [k.inflight, k.escalation(c.fingerprint), k.alerts.record(c.fingerprint), k.alerts.timeline(c.fingerprint)],
      [c.member, c.tierId, JSON.stringify(event), this.opts.maxTimeline ?? MAX_TIMELINE],
    );
  }

  /** The SMS task: the one alert, its summary marked as an escalation, to the tier's phones. */
  private payload(c: Claimed, recipients: Recipient[]): NotificationPayload {
    const summary = c.annotations.summary ?? c.labels.alertname ?? '';
    const after = c.tier.afterMinutes >= 1 ? `${Math.round(c.tier.afterMinutes)}m` : `${Math.round(c.tier.afterMinutes * 60)}s`;
    const annotations = { ...c.annotations, summary: `[escalated: not acked in ${after}] ${summary}` };
    const alert: WebhookAlert = {
      status: 'firing',
      labels: c.labels,
      annotations,
      startsAt: c.startsAt,
      endsAt: NO_END,
      generatorURL: c.generatorURL,
      fingerprint: c.fingerprint,
    };
    const dedupKey = escalationDedupKey(c.fingerprint, c.startsAt, c.tierId);
    return {
      channel: 'sms',
      receiver: c.receiver,
      groupKey: c.groupKey || `escalation:${c.fingerprint}`,
      status: 'firing',
      severity: c.labels.severity ?? '',
      externalURL: '',
      groupLabels: c.labels.alertname ? { alertname: c.labels.alertname } : {},
      commonLabels: c.labels,
      commonAnnotations: annotations,
      truncatedAlerts: 0,
      alerts: [alert],
      recipients,
      deliveryKey: dedupKey,
      receivedAt: new Date().toISOString(),
    };
  }
}

function parseClaim(row: string[]): Claimed {
  const [member, startsAt, tierJson, labels, annotations, receiver, groupKey, generatorURL] = row.map(String) as [
    string, string, string, string, string, string, string, string,
  ];
  const { fingerprint, tierId } = parseEscalationMember(member);
  return {
    member,
    fingerprint,
    tierId,
    startsAt,
    tier: JSON.parse(tierJson) as Claimed['tier'],
    labels: JSON.parse(labels || '{}') as LabelSet,
    annotations: JSON.parse(annotations || '{}') as LabelSet,
    receiver,
    groupKey,
    generatorURL,
  };
}
