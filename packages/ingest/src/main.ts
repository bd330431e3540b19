import cluster from 'node:cluster';
import { once } from 'node:events';
import http from 'node:http';
import { channelQueue, connectRedis, createLogger, loadConfig, type Logger, type NotificationPayload } from '@alertgw/shared';
import { createApp } from './app';
import { trackForClose } from './close-http-server';
import { createHandlingRuntime } from './handling-runtime';
import { ingestRedisOptions } from './redis-options';

/**
 * How long shutdown waits for in-flight requests before closing Redis anyway. A webhook waits at
 * most 2 s for Redis (redis-options), so this is plenty; with alert handling's close (a check in
 * progress waits out its 2 s command timeout on a hung Redis: 2–3 s measured) and QUIT (≤ ½ s),
 * SIGTERM ends the process within 10 s, before `docker stop` kills it (test/chaos/shutdown).
 */
const SHUTDOWN_GRACE_MS = 5_000;
/** Pause between attempts to start alert handling while Redis does not answer. */
const HANDLING_RETRY_MS = 2_000;
/** How long the primary waits for its workers after SIGTERM before killing them (inside docker stop's 10 s). */
const WORKERS_STOP_MS = 9_000;
/** Pause before a worker that died on its own is started again, so a crash loop does not spin. */
const WORKER_RESTART_MS = 1_000;
/** Connections the kernel may queue for accept (see the listen call). */
const LISTEN_BACKLOG = 4096;

// The only place ingest reads env and argv, connects, listens and handles signals.
async function main(): Promise<void> {
  const { config, path } = loadConfig({ argv: process.argv.slice(2), env: process.env });
  const root = createLogger({ service: 'ingest', level: config.log.level });
  if (cluster.isPrimary && config.ingest.workers > 1) return runPrimary(config.ingest.workers, root);
  const logger = cluster.isWorker ? root.child({ worker: cluster.worker!.id }) : root;
  if (!cluster.isWorker) logger.info('configuration loaded', { path });

  const service = await connectRedis(config, logger, {
    options: ingestRedisOptions(),
    lostMessage: 'Redis connection lost; webhooks get 503 until it is back',
  });
  const { redis } = service;

  const channels = Object.entries(config.channels)
    .filter(([, options]) => options.enabled)
    .map(([name]) => name);
  const queues = new Map(channels.map((name) => [name, channelQueue<NotificationPayload>(redis, config, name)]));
  // Pub/sub needs a connection of its own; it may queue while Redis is away (resubscribes on reconnect).
  const subscriber = service.open({ ...ingestRedisOptions(), enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined });
  subscriber.on('error', () => {
    // The command connection above logs the outage once.
  });
  const handling = createHandlingRuntime({ config, redis, subscriber, queues, logger });
  const { serve } = createApp({ config, redis, queues, resolver: handling.resolver, logger, handling });
  let stopping = false;
  // Webhooks are served at once with the config's directory; the live one, acks and the
  // handling Worker follow as soon as Redis answers (retried, so ingest heals without a restart).
  const redisReady = (): Promise<void> =>
    new Promise((resolve) => {
      if (redis.status === 'ready') return resolve();
      const done = () => {
        clearTimeout(timer);
        redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, HANDLING_RETRY_MS);
      redis.once('ready', done);
    });
  const startHandling = async (): Promise<void> => {
    for (let attempt = 1; !stopping; attempt++) {
      await redisReady();
      try {
        await handling.start();
        logger.info('alert handling started', { directoryVersion: handling.directory.current().version, handlingWorker: handling.worker.id });
        return;
      } catch (err) {
        if (attempt === 1) logger.error('alert handling cannot start yet (Redis?); retrying', { err: (err as Error).message });
        await new Promise((r) => setTimeout(r, HANDLING_RETRY_MS));
      }
    }
  };
  const handlingStarted = startHandling();

  const server = http.createServer(serve);
  // Alertmanager flushes every group that is due at once, each POST on a connection of its own:
  // hundreds of connects within milliseconds. Node's default accept backlog (511) overflows while
  // the event loop is busy reading the bodies already in, and a dropped SYN is retried by the
  // client's kernel only after a second: a storm's webhooks arrived up to 1 s late. The kernel
  // caps this at net.core.somaxconn (4096 on current kernels).
  server.listen({ port: config.ingest.listen.port, host: config.ingest.listen.host, backlog: LISTEN_BACKLOG });
  // Slow or stuck clients must not hold a request open for Node's 5-minute default.
  server.requestTimeout = 30_000;
  // Alertmanager's HTTP client (prometheus/common) keeps idle connections for 5 minutes. If
  // we closed an idle one first (Node's default: after 5 s), a POST racing our close fails
  // and that notification waits for Alertmanager's next retry.
  server.keepAliveTimeout = 310_000;
  const closeHttp = trackForClose(server);
  await once(server, 'listening');
  logger.info('ingest listening', { ...config.ingest.listen, channels, pid: process.pid });

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    await closeHttp(SHUTDOWN_GRACE_MS);
    await Promise.race([handlingStarted, new Promise((r) => setTimeout(r, HANDLING_RETRY_MS).unref())]);
    await handling.close();
    await service.close();
    process.exit(0);
  };
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

/**
 * `ingest.workers: N` > 1: this process only starts N workers (node:cluster), each a whole ingest
 * (its own Redis connections, alert handling, share of the connections on the one port), starts
 * again one that dies, and on SIGTERM/SIGINT passes the signal on and exits when all have, or
 * kills the rest after WORKERS_STOP_MS.
 */
function runPrimary(workers: number, logger: Logger): void {
  let stopping = false;
  const fork = () => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    logger.error('ingest worker exited; starting another', { worker: worker.id, pid: worker.process.pid, code, signal });
    setTimeout(() => {
      if (!stopping) fork();
    }, WORKER_RESTART_MS);
  });
  for (let i = 0; i < workers; i++) fork();
  logger.info('ingest started its workers', { workers });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down workers', { signal });
    const running = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead());
    const exited = running.map((w) => (w!.isDead() ? Promise.resolve() : once(w!, 'exit')));
    for (const w of running) w!.process.kill(signal);
    const timer = setTimeout(() => {
      logger.error('ingest workers did not stop in time; killing them', { ms: WORKERS_STOP_MS });
      for (const w of running) if (!w!.isDead()) w!.process.kill('SIGKILL');
    }, WORKERS_STOP_MS);
    void Promise.all(exited).then(() => {
      clearTimeout(timer);
      logger.info('ingest workers stopped', { workers: running.length });
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  // The config loader lists every problem in the message; print it as is and refuse to start.
  process.stderr.write(`ingest: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
