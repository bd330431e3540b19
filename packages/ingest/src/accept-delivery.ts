import {
  addUpsertAlertsToPipeline,
  defineAlertScripts,
  GatewayError,
  type DeliveryHandling,
  type EnqueueResult,
  type GatewayConfig,
  type Logger,
  type NotificationPayload,
  type RedisClient,
  type TaskQueue,
  type WebhookAlert,
  type WebhookMessage,
} from '@alertgw/shared';
import type { ChainableCommander } from 'ioredis';
import { deliveryKey } from './delivery-key';
import type { IngestMetrics } from './ingest-metrics';
import { planTasks, type RecipientResolver } from './plan-tasks';

/** What the webhook answers with 2xx: per channel the task and whether it already existed. */
export interface DeliverySummary {
  deliveryKey: string;
  /** True when every task this delivery maps to had already been created within the dedup window. */
  duplicate: boolean;
  /** Tasks created by this request, per channel (0 or 1). */
  created: Record<string, number>;
  tasks: Record<string, { id: string; duplicate: boolean; recipients: number; severity: string }>;
  /** Channels that carry nothing of this delivery, and why. */
  skipped: Record<string, string>;
}

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
}

/** Accepts one validated delivery; rejects with GatewayError REDIS_UNAVAILABLE when Redis does not confirm. */
export type AcceptDelivery = (msg: WebhookMessage) => Promise<DeliverySummary>;

/**
 * Builds the delivery pipeline: plan one task per channel, then two Redis round trips —
 * (1) every channel's enqueue script (idempotency check + task + ZADD, atomic per
 * channel) in one pipeline, (2) the alert records in one script. Only when both are
 * confirmed does the caller answer 2xx; if ingest dies in between, Alertmanager retries,
 * the enqueues come back as duplicates and the records are written then.
 */
export function createAcceptDelivery(deps: AcceptDeps): AcceptDelivery {
  const { redis, queues, config, metrics } = deps;
  const channels = [...queues.keys()];
  const now = deps.now ?? (() => new Date());
  const knownSeverities = new Set(Object.keys(config.queue.severityRanks).map((s) => s.toLowerCase()));
  // ioredis Cluster cannot pipeline across slots, and every channel's queue has its own slot.
  const isCluster = (redis as { isCluster?: boolean }).isCluster === true;
  defineAlertScripts(redis);

  return async (msg) => {
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
    const alertsJson = new Map<WebhookAlert[], string>();
    const inputs = plan.tasks.map((t) => ({
      queue: queues.get(t.channel)!,
      input: {
        payload: t.payload,
        payloadJson: payloadJson(t.payload, alertsJson),
        severityRank: t.severityRank,
        dedupKey: key,
        dedupTtlMs: config.ingest.dedupWindowMs,
      },
    }));

    let results: EnqueueResult[] = [];
    if (inputs.length > 0) {
      if (isCluster) {
        results = await Promise.all(inputs.map(({ queue, input }) => queue.enqueue(input))).catch((err: unknown) => {
          throw redisUnavailable(err);
        });
      } else {
        const pipeline = redis.pipeline();
        for (const { queue, input } of inputs) queue.addEnqueueToPipeline(pipeline, input);
        const replies = await execPipeline(pipeline);
        results = replies.map((reply, i) => inputs[i].queue.parseEnqueueReply(reply));
      }
    }

    // The tasks are in Redis now, whatever happens to the records; a retry finds them as duplicates.
    plan.tasks.forEach((t, i) => {
      if (results[i].duplicate) metrics.duplicates.inc({ channel: t.channel });
      else metrics.enqueued.inc({ channel: t.channel, severity: severityLabel(t.payload.severity, knownSeverities) });
    });

    const summary: DeliverySummary = {
      deliveryKey: key,
      duplicate: results.length > 0 && results.every((r) => r.duplicate),
      created: {},
      tasks: {},
      skipped: plan.skipped,
    };
    plan.tasks.forEach((t, i) => {
      const r = results[i];
      summary.created[t.channel] = r.duplicate ? 0 : 1;
      summary.tasks[t.channel] = { id: r.id, duplicate: r.duplicate, recipients: t.payload.recipients.length, severity: t.payload.severity };
    });

    const records = redis.pipeline();
    addUpsertAlertsToPipeline(records, {
      prefix: config.redis.keyPrefix,
      alerts: msg.alerts,
      receiver: msg.receiver,
      groupKey: msg.groupKey,
      deliveryKey: key,
      tasks: plan.tasks.map((t, i) => ({ channel: t.channel, taskId: results[i].id, duplicate: results[i].duplicate })),
      retentionMs: config.ingest.alertRetentionMs,
      now: receivedAt,
    });
    deps.handling?.addToPipeline(records, { alerts: msg.alerts, suppressed: plan.suppressed, deliveryKey: key, now: receivedAt });
    await execPipeline(records);

    return summary;
  };
}

/**
 * JSON of a task payload with its alerts serialized once per delivery: the channels usually
 * carry the very same alerts array, the bulk of every payload. Parses back to the same object
 * as JSON.stringify(payload) (only the key order differs: alerts come last).
 */
function payloadJson(payload: NotificationPayload, cache: Map<WebhookAlert[], string>): string {
  const { alerts, ...rest } = payload;
  let json = cache.get(alerts);
  if (json === undefined) {
    json = JSON.stringify(alerts);
    cache.set(alerts, json);
  }
  return `${JSON.stringify(rest).slice(0, -1)},"alerts":${json}}`;
}

/** Runs a pipeline and returns its replies, turning any failure into REDIS_UNAVAILABLE. */
async function execPipeline(pipeline: ChainableCommander): Promise<unknown[]> {
  let replies: Array<[Error | null, unknown]> | null;
  try {
    replies = await pipeline.exec();
  } catch (err) {
    throw redisUnavailable(err);
  }
  if (!replies) throw redisUnavailable(new Error('pipeline was discarded'));
  const failed = replies.find(([err]) => err);
  if (failed) throw redisUnavailable(failed[0]);
  return replies.map(([, value]) => value);
}

function redisUnavailable(cause: unknown): GatewayError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GatewayError('REDIS_UNAVAILABLE', `Redis did not accept the write: ${reason}`, { retryable: true, cause });
}

/** Severity as a metric label: configured values only, so untrusted labels cannot blow up cardinality. */
function severityLabel(severity: string, known: Set<string>): string {
  if (severity === '') return 'none';
  const s = severity.toLowerCase();
  return known.has(s) ? s : 'other';
}
