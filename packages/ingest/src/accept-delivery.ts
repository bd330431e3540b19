import {
  deliveryJson,
  GatewayError,
  isRedisUnavailable,
  runAcceptDelivery,
  upsertCall,
  type DeliverySummary,
  type EnqueueResult,
  type GatewayConfig,
  type Logger,
  type NotificationPayload,
  type RedisClient,
  type TaskQueue,
  type WebhookMessage,
} from '@alertgw/shared';
import type { DeliveryHandling } from './handling/delivery-handling';
import { deliveryKey } from './delivery-key';
import type { IngestMetrics } from './ingest-metrics';
import { highestSeverity, planTasks, type RecipientResolver } from './plan-tasks';
import { createUrgentFirst, type UrgentFirst } from './webhook/urgent-first';
import { deliveryPart } from './delivery-part';

/** Everything accepting a delivery needs; main.ts builds it, tests build their own. */
export interface AcceptDeps {
  redis: RedisClient;
  /** One queue per channel, by channel name. */
  queues: ReadonlyMap<string, TaskQueue<NotificationPayload>>;
  config: Pick<GatewayConfig, 'channels' | 'queue' | 'email' | 'ingest' | 'redis'>;
  resolver: RecipientResolver;
  metrics: IngestMetrics;
  logger: Logger;
  now?: () => Date;
  /** Alert handling (acks, escalations); absent, every firing alert is notified and nothing escalates. */
  handling?: DeliveryHandling;
  /** Orders the deliveries waiting for the CPU, most urgent first (default: one of its own). */
  urgentFirst?: UrgentFirst;
}

/**
 * Accepts one validated delivery; rejects with GatewayError REDIS_UNAVAILABLE when Redis could
 * not serve (worth a retry), REDIS_REJECTED when it refused the write for good (a bug). `raw`, the bytes `msg` was parsed from, lets the alerts be stored as received.
 */
export type AcceptDelivery = (msg: WebhookMessage, raw?: Buffer) => Promise<DeliverySummary>;

/**
 * Builds the delivery step: plan one task per channel, then one Redis round trip — one
 * script that runs each channel's enqueue (idempotency check + task + ZADD), upserts the
 * alert records with their task-created events and runs the handling step, atomically.
 * Only when it is confirmed does the caller answer 2xx; if ingest dies before that,
 * Alertmanager retries and the enqueues come back as duplicates.
 */
export function createAcceptDelivery(deps: AcceptDeps): AcceptDelivery {
  const { redis, queues, config, metrics } = deps;
  const channels = [...queues.keys()];
  const now = deps.now ?? (() => new Date());
  const knownSeverities = new Set(Object.keys(config.queue.severityRanks).map((s) => s.toLowerCase()));
  const urgentFirst = deps.urgentFirst ?? createUrgentFirst();

  return async (msg, raw) => {
    // In a storm the critical groups are stored first, whatever order they arrived in.
    await urgentFirst.turn(highestSeverity(msg.alerts, config.queue).rank);
    const receivedAt = now();
    const key = deliveryKey(msg);
    const plan = planTasks(msg, { config, resolver: deps.resolver, channels, deliveryKey: key, receivedAt, acked: deps.handling?.acked() });
    if (plan.unknownUsers.length || plan.unreachable.length) {
      deps.logger.warn('routing named people who cannot be notified', {
        groupKey: msg.groupKey,
        unknownUsers: plan.unknownUsers,
        unreachable: plan.unreachable,
      });
    }
    const json = deliveryJson(msg, raw);
    // What every channel's task has in common is stored once, and each task names it.
    const part = plan.tasks.length > 0 ? deliveryPart(config.redis.keyPrefix, msg, json, plan.tasks) : undefined;
    let results: EnqueueResult[];
    try {
      results = await runAcceptDelivery(redis, {
        enqueues: plan.tasks.map((t) =>
          queues.get(t.channel)!.enqueueCall({
            payload: t.payload,
            payloadJson: '{}',
            part: { key: part!.key },
            severityRank: t.severityRank,
            dedupKey: key,
            dedupTtlMs: config.ingest.dedupWindowMs,
          }),
        ),
        part,
        upsert: upsertCall({
          prefix: config.redis.keyPrefix,
          alerts: msg.alerts,
          receiver: msg.receiver,
          groupKey: msg.groupKey,
          deliveryKey: key,
          retentionMs: config.ingest.alertRetentionMs,
          now: receivedAt,
          json,
        }),
        handling: deps.handling?.call({ alerts: msg.alerts, receiver: msg.receiver, groupKey: msg.groupKey, suppressed: plan.suppressed, deliveryKey: key, now: receivedAt }),
      });
    } catch (err) {
      throw storeFailure(err);
    }

    const summary: DeliverySummary = {
      deliveryKey: key,
      duplicate: results.length > 0 && results.every((r) => r.duplicate),
      created: {},
      tasks: {},
      skipped: plan.skipped,
    };
    plan.tasks.forEach((t, i) => {
      const r = results[i];
      if (r.duplicate) metrics.duplicates.inc({ channel: t.channel });
      else metrics.enqueued.inc({ channel: t.channel, severity: severityLabel(t.payload.severity, knownSeverities) });
      summary.created[t.channel] = r.duplicate ? 0 : 1;
      summary.tasks[t.channel] = { id: r.id, duplicate: r.duplicate, recipients: t.payload.recipients.length, severity: t.payload.severity };
    });
    return summary;
  };
}

/**
 * REDIS_UNAVAILABLE (retryable: the caller answers 503) only when Redis could not serve;
 * any other refusal (a script error, WRONGTYPE) would come back identically on every retry,
 * so it is REDIS_REJECTED, which the caller answers 500 and logs as a bug.
 */
function storeFailure(cause: unknown): GatewayError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  if (isRedisUnavailable(cause)) return new GatewayError('REDIS_UNAVAILABLE', `Redis did not accept the write: ${reason}`, { retryable: true, cause });
  return new GatewayError('REDIS_REJECTED', `Redis refused the write: ${reason}`, { cause });
}

/** Severity as a metric label: configured values only, so untrusted labels cannot blow up cardinality. */
function severityLabel(severity: string, known: Set<string>): string {
  if (severity === '') return 'none';
  const s = severity.toLowerCase();
  return known.has(s) ? s : 'other';
}
