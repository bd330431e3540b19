import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { buildConfig, createQueueMetrics, type AckLinkIssuer, createTimelineRecorder, TaskQueue, Worker, type TimelineEvent, type ChatConfig, type ChatOwner, type Logger, type RobotConfig, type WebhookAlert } from '@alertgw/shared';
import { testRedis } from '@alertgw/testkit';
import { createChatChannel, type ChatPayload } from '../../src/chat-channel';
import { createChatMetrics, type ChatMetrics } from '../../src/chat-metrics';
import { createChatRenderer } from '../../src/render/chat-renderer';
import { robotRoute } from '../../src/robot-dispatcher';
import type { RobotDirectory } from '../../src/robots/robot-directory';
import { chatTimelineView } from '../../src/timeline-view';

/** Obvious test-only secrets; never real ones. */
export const DINGTALK_SECRET = 'SECtest-only-dingtalk-secret-0000';
export const FEISHU_SECRET = 'test-only-feishu-secret-0000';

/** The chat section with its defaults, overridden where a test says. */
export function chatConfig(over: Partial<ChatConfig> = {}): ChatConfig {
  return { ...buildConfig(null, {}).chat, ...over };
}

/** A robot list that never changes (the live directory is tested on its own). */
export function fixedRobots(robots: RobotConfig[]): RobotDirectory {
  const map = new Map(robots.map((r) => [r.name, r]));
  return { current: async () => ({ robots: map, source: 'config' }) };
}

/** A group of `n` alerts (firing, `severity`) for the given robots. */
export function chatPayload(robots: string[], opts: { n?: number; severity?: string; alertname?: string; owners?: ChatOwner[]; labels?: Record<string, string>; summary?: string } = {}): ChatPayload {
  const alertname = opts.alertname ?? 'DiskFull';
  const severity = opts.severity ?? 'critical';
  const alerts: WebhookAlert[] = Array.from({ length: opts.n ?? 1 }, (_, i) => ({
    status: 'firing',
    labels: { alertname, severity, instance: `db-${i}.example:9100`, ...opts.labels },
    annotations: { summary: opts.summary ?? `disk /var almost full on db-${i}` },
    startsAt: '2026-11-30T03:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus.example/graph?g0.expr=disk${i}`,
    fingerprint: (0x1000000000000000n + BigInt(i)).toString(16),
  }));
  return {
    channel: 'chat',
    receiver: 'alertgw',
    groupKey: `{}:{alertname="${alertname}"}`,
    status: 'firing',
    severity,
    externalURL: 'http://alertmanager.example:9093',
    groupLabels: { alertname, cluster: 'prod-bj' },
    commonLabels: { alertname, severity, cluster: 'prod-bj' },
    commonAnnotations: {},
    truncatedAlerts: 0,
    alerts,
    recipients: robots.map((name) => ({ name: `robot:${name}`, address: name, rules: ['route:ops'] })),
    ...(opts.owners ? { owners: opts.owners } : {}),
    deliveryKey: `d-${Math.random().toString(36).slice(2)}`,
    receivedAt: new Date().toISOString(),
  };
}

/** Fast retries for tests: provider delays are capped at backoff.maxMs. */
export const TEST_BACKOFF = { baseMs: 10, maxMs: 80 };

/** One notifier-chat replica: its own Redis connection, queue handle, channel and worker. */
export interface Replica {
  redis: Redis;
  queue: TaskQueue<ChatPayload>;
  worker: Worker<ChatPayload>;
  metrics: ChatMetrics;
  registry: Registry;
  /** The `notification` events the worker wrote for each alert (fingerprint, event), as main.ts writes them to timelines. */
  timeline: Array<{ fingerprint: string; event: Omit<TimelineEvent, 'at'> }>;
  close(): Promise<void>;
}

/** Starts a replica wired the way main.ts wires it (queue → channel → worker), with fast backoff. */
export function startReplica(opts: {
  prefix: string;
  config: ChatConfig;
  robots: RobotDirectory;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  concurrency?: number;
  maxAttempts?: number;
  backoff?: { baseMs: number; maxMs: number };
  ackLinks?: AckLinkIssuer;
}): Replica {
  const redis = testRedis();
  const backoff = opts.backoff ?? TEST_BACKOFF;
  const queue = new TaskQueue<ChatPayload>({ redis, prefix: opts.prefix, name: 'chat', backoff, maxAttempts: opts.maxAttempts ?? 10 });
  const registry = new Registry();
  const queueMetrics = createQueueMetrics(registry);
  const metrics = createChatMetrics(registry, queueMetrics.configErrors);
  const channel = createChatChannel({
    config: opts.config,
    robots: opts.robots,
    queue,
    renderer: createChatRenderer({ templatesDir: opts.config.templatesDir }),
    logger: opts.logger,
    metrics,
    env: opts.env,
    dispatcher: robotRoute(opts.env).dispatcher,
    maxRetryAfterMs: backoff.maxMs,
    ackLinks: opts.ackLinks,
  });
  const timeline: Replica['timeline'] = [];
  const onSettled = createTimelineRecorder('chat', async (fingerprints, event) => timeline.push(...fingerprints.map((fingerprint) => ({ fingerprint, event }))), chatTimelineView);
  const worker = new Worker<ChatPayload>({ queue, handler: channel, concurrency: opts.concurrency ?? 4, logger: opts.logger, metrics: queueMetrics, blockTimeoutMs: 1000, onSettled });
  worker.start();
  return {
    redis,
    queue,
    worker,
    metrics,
    registry,
    timeline,
    async close() {
      await worker.close(2000);
      redis.disconnect();
    },
  };
}
