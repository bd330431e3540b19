import { HandlingKeys, MAX_TIMELINE, runHandlingScript } from '@alertgw/shared';
import type { Directory, LabelSet, Logger, NotificationPayload, Recipient, RecipientResult, RedisClient, TaskQueue, WebhookAlert } from '@alertgw/shared';
import type { HandlingTask } from './handling-task';

/** What running an escalation task needs. */
export interface EscalationDeps {
  redis: RedisClient;
  prefix: string;
  /** The SMS queue; without it (channel disabled) escalations are recorded as not sent. */
  smsQueue?: TaskQueue<NotificationPayload>;
  /** The directory in force, read when the tier fires (so whoever it names then gets the SMS). */
  directory: () => Directory;
  /** Queue priority of a severity label value. */
  severityRank: (severity: string) => number;
  logger: Logger;
  maxTimeline?: number;
}

/** An escalation task that passed the claim-time check. */
interface Live {
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

/** Idempotency keys of escalation SMS are kept this long (covers any retry of the handling task). */
const DEDUP_TTL_MS = 86_400_000;
const NO_END = '0001-01-01T00:00:00Z';

/**
 * Runs one escalation tier, claimed from the handling queue (so by exactly one replica at a
 * time). It first checks, in one script, that the alert still fires with the tier's firing and
 * is unacked: if not, it settles as `suppressed` (the script appended `escalation-suppressed`).
 * Otherwise it enqueues the SMS to whoever the tier names now, under an idempotency key per
 * alert, firing and tier (a retry after a crash finds it), marks the tier fired and appends
 * `escalated`. A Redis error throws: the Worker retries the task.
 */
export async function runEscalation(deps: EscalationDeps, task: Extract<HandlingTask, { kind: 'escalation' }>): Promise<RecipientResult> {
  const k = new HandlingKeys(deps.prefix);
  const fp = task.fingerprint;
  const maxTimeline = deps.maxTimeline ?? MAX_TIMELINE;
  const reply = (await runHandlingScript(
    deps.redis,
    'beginEscalation',
    [k.acks, k.escalation(fp), k.alerts.record(fp), k.alerts.timeline(fp)],
    [fp, task.tierId, task.startsAt, new Date().toISOString(), maxTimeline],
  )) as [number, ...string[]];
  if (Number(reply[0]) !== 1) {
    return { status: 'suppressed', at: new Date().toISOString(), code: 'ESCALATION_SUPPRESSED', message: String(reply[1]) };
  }
  const [, tierJson, labels, annotations, receiver, groupKey, generatorURL] = reply.map(String);
  const live: Live = {
    fingerprint: fp,
    tierId: task.tierId,
    startsAt: task.startsAt,
    tier: JSON.parse(tierJson) as Live['tier'],
    labels: JSON.parse(labels || '{}') as LabelSet,
    annotations: JSON.parse(annotations || '{}') as LabelSet,
    receiver,
    groupKey,
    generatorURL,
  };
  const event = await fire(deps, live);
  await runHandlingScript(deps.redis, 'completeEscalation', [k.escalation(fp), k.alerts.record(fp), k.alerts.timeline(fp)], [task.tierId, JSON.stringify(event), maxTimeline]);
  const at = new Date().toISOString();
  if (event.error) return { status: 'failed', at, code: 'ESCALATION_UNDELIVERABLE', message: String(event.error) };
  return { status: 'delivered', at, detail: { taskId: event.taskId, duplicate: event.duplicate === true } };
}

/** Enqueues the SMS of a live tier; returns its `escalated` event. */
async function fire(deps: EscalationDeps, c: Live): Promise<Record<string, unknown>> {
  const { logger } = deps;
  const rule = `escalation:${c.tier.route}#${c.tier.tier}`;
  const directory = deps.directory();
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
  if (!deps.smsQueue) {
    event.error = 'the sms channel is disabled: nobody was notified';
    logger.error('escalation due but the sms channel is disabled', { fingerprint: c.fingerprint, route: c.tier.route, tier: c.tier.tier });
  } else if (recipients.length === 0) {
    event.error = 'nobody in this tier has a phone';
    logger.warn('escalation due but nobody in the tier can get an SMS', { fingerprint: c.fingerprint, route: c.tier.route, tier: c.tier.tier });
  } else {
    const result = await deps.smsQueue.enqueue({
      payload: payload(c, recipients),
      severityRank: deps.severityRank(c.labels.severity ?? ''),
      dedupKey: escalationDedupKey(c.fingerprint, c.startsAt, c.tierId),
      dedupTtlMs: DEDUP_TTL_MS,
    });
    event.taskId = result.id;
    if (result.duplicate) event.duplicate = true;
    logger.info('escalation fired', { fingerprint: c.fingerprint, route: c.tier.route, tier: c.tier.tier, taskId: result.id, recipients: recipients.length, duplicate: result.duplicate });
  }
  return event;
}

/** The SMS task: the one alert, its summary marked as an escalation, to the tier's phones. */
function payload(c: Live, recipients: Recipient[]): NotificationPayload {
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
