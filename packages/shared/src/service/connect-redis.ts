import Redis, { type RedisOptions } from 'ioredis';
import type { GatewayConfig } from '../config/types';
import type { Logger } from '../log';
import { TaskQueue } from '../queue/task-queue';
import { locateRedis } from '../redis/locate-redis';
import { quitRedis } from '../redis/quit-redis';

/** A connected Redis for a service, and how to let go of it (and of a private server, if one was started). */
export interface ServiceRedis {
  redis: Redis;
  close(): Promise<void>;
}

/**
 * Connects a service to Redis: `redis.url` from config, else found the documented way
 * (REDIS_URL, 127.0.0.1:6379, a private redis-server). Logs where (without a password) and
 * logs connection errors instead of crashing. Called from a service's main.ts.
 */
export async function connectRedis(config: GatewayConfig, logger: Logger, options: RedisOptions = { maxRetriesPerRequest: 3 }): Promise<ServiceRedis> {
  const located = config.redis.url ? { url: config.redis.url, source: 'config', stop: async () => {} } : await locateRedis({ env: process.env });
  logger.info('using Redis', { source: located.source, url: located.url.replace(/\/\/[^@]*@/, '//***@') });
  const redis = new Redis(located.url, options);
  redis.on('error', (err: Error) => logger.warn('Redis connection error', { err: err.message }));
  return {
    redis,
    async close() {
      await quitRedis(redis);
      await located.stop();
    },
  };
}

/** The queue of one channel with the configured attempts, backoff, lease and retention. */
export function channelQueue<P>(redis: Redis, config: GatewayConfig, name: string): TaskQueue<P> {
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
