import {
  GatewayError,
  Worker,
  appendTimeline,
  channelQueue,
  connectRedis,
  createLogger,
  createQueueMetrics,
  createRegistry,
  loadConfig,
  registerQueueDepthGauge,
  startOpsServer,
} from '@alertgw/shared';
import type { SmsPayload } from './digest';
import { createSmsChannel } from './sms-channel';
import { createSmsMetrics } from './sms-metrics';
import { createTencentSmsClient } from './tencent-client';
import { createSmsTimelineRecorder } from './timeline-recorder';
import { verifyTemplates } from './verify-templates';

/**
 * How long shutdown lets in-flight SMS finish before releasing them to another replica. With
 * at most 1 s more to release them and ½ s to close Redis (even a hung one), SIGTERM ends the
 * process within 10 s: before `docker stop` (Compose too) would SIGKILL it.
 */
const SHUTDOWN_GRACE_MS = 7_000;

// The only place notifier-sms reads env and argv, connects and handles signals.
async function main(): Promise<void> {
  const { config, path } = loadConfig({ argv: process.argv.slice(2), env: process.env });
  const logger = createLogger({ service: 'notifier-sms', level: config.log.level });
  logger.info('configuration loaded', { path });
  if (config.channels.sms && !config.channels.sms.enabled) {
    logger.warn('channels.sms.enabled is false: ingest writes no SMS tasks, this notifier will stay idle');
  }

  const { redis, close: closeRedis } = await connectRedis(config, logger);
  const queue = channelQueue<SmsPayload>(redis, config, 'sms');
  const registry = createRegistry();
  const queueMetrics = createQueueMetrics(registry);
  registerQueueDepthGauge(registry, [queue]);

  const { tencent } = config.sms;
  const dryRun = tencent.secretId === '' || tencent.secretKey === '';
  const api = dryRun
    ? null
    : createTencentSmsClient({
        secretId: tencent.secretId,
        secretKey: tencent.secretKey,
        region: tencent.region,
        endpoint: tencent.endpoint,
        protocol: tencent.protocol,
        proxy: process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy || undefined,
      });
  if (api) {
    const problems = await verifyTemplates(api, config.sms.templates, logger);
    if (problems.length > 0) {
      throw new GatewayError('CONFIG_INVALID', `SMS templates do not match Tencent's:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    }
  } else {
    logger.warn('dry-run: no Tencent credentials configured; SMS requests are built, logged (numbers masked) and recorded, not sent');
  }

  const channel = createSmsChannel({
    config: config.sms,
    api,
    queue,
    logger,
    metrics: createSmsMetrics(registry, queueMetrics.configErrors),
    maxRetryAfterMs: config.queue.backoff.maxMs,
  });
  const worker = new Worker<SmsPayload>({
    queue,
    handler: channel,
    concurrency: config.sms.concurrency,
    logger,
    metrics: queueMetrics,
    onSettled: createSmsTimelineRecorder((fp, event) => appendTimeline(redis, config.redis.keyPrefix, fp, event)),
  });
  worker.start();
  const ops = await startOpsServer({ registry, redis, listen: config.sms.listen, logger });
  logger.info('notifier-sms started', {
    workerId: worker.id,
    concurrency: config.sms.concurrency,
    dryRun,
    budget: config.sms.budget,
    endpoint: tencent.endpoint ?? 'sms.tencentcloudapi.com',
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await worker.close(SHUTDOWN_GRACE_MS);
    ops?.close();
    await closeRedis();
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

main().catch((err: unknown) => {
  // Config problems are listed one per line in the message; print it and refuse to start.
  process.stderr.write(`notifier-sms: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
