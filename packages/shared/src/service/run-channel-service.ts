import type { Registry } from 'prom-client';
import type { GatewayConfig, ListenConfig } from '../config/types';
import { loadConfig } from '../config/load-config';
import { createLogger, type Logger } from '../log';
import { createQueueMetrics, createRegistry, registerQueueDepthGauge, type QueueMetrics } from '../metrics';
import { startOpsServer } from '../ops-server';
import type { RedisClient, TaskQueue } from '../queue/task-queue';
import type { ChannelHandler } from '../queue/types';
import { createChannelWorker, type ChannelPayload } from './channel-worker';
import { sendTimeDirectory, type SendTimeDirectory } from './send-time-directory';
import { channelQueue, connectRedis } from './connect-redis';
import type { TimelineView } from './timeline-recorder';

/**
 * How long shutdown lets in-flight sends finish before releasing them to another replica. With
 * at most 1 s more to release them and ½ s to close Redis (even a hung one), SIGTERM ends the
 * process within 10 s: before `docker stop` (Compose too) would SIGKILL it.
 */
export const SHUTDOWN_GRACE_MS = 7_000;

/** What the kit has ready when a channel builds its handler. */
export interface ChannelContext<P> {
  config: GatewayConfig;
  logger: Logger;
  redis: RedisClient;
  /** This channel's queue (a channel may enqueue into it, as SMS storm summaries do). */
  queue: TaskQueue<P>;
  registry: Registry;
  metrics: QueueMetrics;
  /** The live directory (users, schedules, robots) the kit's gate reads: one cache per notifier. */
  directory: SendTimeDirectory;
}

/** What a channel hands back to the kit once built. */
export interface ChannelParts<P> {
  handler: ChannelHandler<P>;
  /** Facts for the "started" log line (transport, dry-run …); never a secret. */
  describe?: Record<string, unknown>;
  /** Runs once the worker is claiming (email checks its transport here, without holding the start). */
  started?(): void;
  /** Lets go of what the handler holds (a mail transport, a local SMTP sink); runs after the worker closed. */
  close?(): Promise<void> | void;
}

/** A notification channel as a service: its name, its config section and how to build its handler. */
export interface ChannelServiceOptions<P> {
  /** Queue name, key under `channels` in the config, and `notifier-<name>` in logs. */
  name: string;
  /** The channel's config section: how many sends run at once and where the ops endpoints listen. */
  section(config: GatewayConfig): { concurrency: number; listen: ListenConfig };
  /** Builds the handler once config, Redis and the queue exist; throw to refuse the start (the message is printed). */
  handler(ctx: ChannelContext<P>): Promise<ChannelParts<P>> | ChannelParts<P>;
  /** How results appear on alert timelines (the `notification` event). */
  timeline?: TimelineView;
  /** Command-line arguments and environment; default: the process's. */
  argv?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a notifier: loads and checks the config, connects to Redis, builds the channel's
 * handler, runs a Worker on its queue (createChannelWorker: send-time recipients, preconditions,
 * every settled attempt written to the alerts' timelines), serves /healthz, /readyz and /metrics, and on SIGTERM or SIGINT stops within
 * 10 s even when Redis is unreachable. Called from a notifier's main.ts; this is the only
 * place a notifier connects and handles signals. When the service cannot start (config,
 * template or credential problems, listed in the error's message), prints why and exits 1.
 */
export function runChannelService<P extends ChannelPayload>(opts: ChannelServiceOptions<P>): Promise<void> {
  return serve(opts).catch((err: unknown) => {
    process.stderr.write(`notifier-${opts.name}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

async function serve<P extends ChannelPayload>(opts: ChannelServiceOptions<P>): Promise<void> {
  const service = `notifier-${opts.name}`;
  const { config, path } = loadConfig({ argv: opts.argv ?? process.argv.slice(2), env: opts.env ?? process.env });
  const logger = createLogger({ service, level: config.log.level });
  logger.info('configuration loaded', { path });
  if (config.channels[opts.name] && !config.channels[opts.name].enabled) {
    logger.warn(`channels.${opts.name}.enabled is false: ingest writes no ${opts.name} tasks, this notifier will stay idle`);
  }
  const section = opts.section(config);

  const { redis, close: closeRedis } = await connectRedis(config, logger);
  const queue = channelQueue<P>(redis, config, opts.name);
  const registry = createRegistry();
  const metrics = createQueueMetrics(registry);
  registerQueueDepthGauge(registry, [queue]);
  const directory = sendTimeDirectory(redis, config);

  let parts: ChannelParts<P>;
  try {
    parts = await opts.handler({ config, logger, redis, queue, registry, metrics, directory });
  } catch (err) {
    await closeRedis();
    throw err;
  }
  const worker = createChannelWorker<P>({
    name: opts.name,
    config,
    redis,
    queue,
    handler: parts.handler,
    concurrency: section.concurrency,
    logger,
    metrics,
    timeline: opts.timeline,
    directory,
  });
  worker.start();
  parts.started?.();
  const ops = await startOpsServer({ registry, redis, listen: section.listen, logger });
  logger.info(`${service} started`, { workerId: worker.id, concurrency: section.concurrency, ...parts.describe });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await worker.close(SHUTDOWN_GRACE_MS);
    ops?.close();
    await parts.close?.();
    await closeRedis();
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}
