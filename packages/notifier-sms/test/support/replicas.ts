import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { TaskQueue, Worker, createQueueMetrics, type Logger, type SmsConfig } from '@alertgw/shared';
import { testRedis } from '@alertgw/testkit';
import type { SmsPayload } from '../../src/digest';
import { createSmsChannel } from '../../src/sms-channel';
import { createSmsMetrics } from '../../src/sms-metrics';
import { createTencentSmsClient } from '../../src/tencent-client';

/** One notifier-sms replica: its own Redis connection, queue handle, channel and worker. */
export interface Replica {
  redis: Redis;
  queue: TaskQueue<SmsPayload>;
  worker: Worker<SmsPayload>;
  registry: Registry;
  close(): Promise<void>;
}

/** Fast retries for tests: provider delays are capped at backoff.maxMs. */
export const TEST_BACKOFF = { baseMs: 10, maxMs: 60 };

/**
 * Starts a replica wired the way main.ts wires it (queue → channel → worker), with fast
 * backoff so retries happen within the test.
 */
export function startReplica(opts: { prefix: string; config: SmsConfig; logger: Logger; secretKey?: string; concurrency?: number; maxAttempts?: number }): Replica {
  const redis = testRedis();
  const queue = new TaskQueue<SmsPayload>({ redis, prefix: opts.prefix, name: 'sms', backoff: TEST_BACKOFF, maxAttempts: opts.maxAttempts ?? 10 });
  const registry = new Registry();
  const queueMetrics = createQueueMetrics(registry);
  const t = opts.config.tencent;
  const api = t.secretId
    ? createTencentSmsClient({ secretId: t.secretId, secretKey: opts.secretKey ?? t.secretKey, region: t.region, endpoint: t.endpoint, protocol: t.protocol })
    : null;
  const channel = createSmsChannel({
    config: opts.config,
    api,
    queue,
    logger: opts.logger,
    metrics: createSmsMetrics(registry, queueMetrics.configErrors),
    maxRetryAfterMs: TEST_BACKOFF.maxMs,
  });
  const worker = new Worker<SmsPayload>({
    queue,
    handler: channel,
    concurrency: opts.concurrency ?? 4,
    logger: opts.logger,
    metrics: queueMetrics,
    blockTimeoutMs: 1000,
  });
  worker.start();
  return {
    redis,
    queue,
    worker,
    registry,
    async close() {
      await worker.close(2000);
      redis.disconnect();
    },
  };
}
