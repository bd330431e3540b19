import type { RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../config/types';
import type { Logger } from '../log';
import { TaskQueue, type RedisClient } from '../queue/task-queue';
import { createRedisClient, redisMode } from '../redis/create-redis-client';
import { describeRedis } from '../redis/describe-redis';
import { locateRedis, type LocatedRedis } from '../redis/locate-redis';
import { quitRedis } from '../redis/quit-redis';

/** A connected Redis for a service, and how to let go of it (and of a private server, if one was started). */
export interface ServiceRedis {
  redis: RedisClient;
  /** Another connection to the same Redis with other options (ingest's pub/sub subscriber). */
  open(options: RedisOptions): RedisClient;
  close(): Promise<void>;
}

/** How a service connects; the defaults suit a worker that may wait for Redis. */
export interface ConnectRedisOptions {
  options?: RedisOptions;
  /** Logged once when the connection is lost (ioredis repeats the error on every retry). */
  lostMessage?: string;
}

/**
 * Connects a service to the configured Redis (one server, Sentinel or Cluster; see
 * createRedisClient). In single mode without `redis.url`, Redis is found the documented way
 * (REDIS_URL, 127.0.0.1:6379, a private redis-server). Logs where, never a password; logs
 * one line when the connection is lost and one when it is back, instead of crashing.
 * Called from a service's main.ts.
 */
export async function connectRedis(config: GatewayConfig, logger: Logger, opts: ConnectRedisOptions = {}): Promise<ServiceRedis> {
  const located: Pick<LocatedRedis, 'url' | 'source' | 'stop'> =
    config.redis.url || redisMode(config.redis) !== 'single'
      ? { url: config.redis.url, source: 'config' as LocatedRedis['source'], stop: async () => {} }
      : await locateRedis({ env: process.env });
  logger.info('using Redis', { source: located.source, ...describeRedis(config.redis, located.url) });
  const open = (options: RedisOptions) => createRedisClient(config.redis, located.url, options);
  const redis = open(opts.options ?? { maxRetriesPerRequest: 3 });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.error(opts.lostMessage ?? 'Redis connection lost; retrying', { err: err.message });
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis connection back');
    down = false;
  });
  return {
    redis,
    open,
    async close() {
      await quitRedis(redis);
      await located.stop();
    },
  };
}

/** The queue of one channel with the configured attempts, backoff, lease and retention. */
export function channelQueue<P>(redis: RedisClient, config: GatewayConfig, name: string): TaskQueue<P> {
  return new TaskQueue<P>({
    redis,
    prefix: config.redis.keyPrefix,
    name,
    maxAttempts: config.queue.maxAttempts,
    backoff: config.queue.backoff,
    leaseMs: config.queue.leaseMs,
    retention: config.queue.retention,
  });
}
