import type { RedisOptions } from 'ioredis';

/**
 * ioredis options for ingest: fail fast while Redis is away, reconnect forever. A webhook
 * must get 503 within its request, not wait in an offline queue past Alertmanager's
 * timeout, and ingest must recover by itself when Redis is back (no restart).
 */
export function ingestRedisOptions(): RedisOptions {
  return {
    // Commands issued while disconnected fail at once instead of queueing.
    enableOfflineQueue: false,
    // A command in flight when the connection drops is failed, not re-sent later behind our back.
    maxRetriesPerRequest: 0,
    // A hung (not closed) connection still answers within the request.
    commandTimeout: 2000,
    connectTimeout: 2000,
    // Keep trying to reconnect, at most every 1 s, for as long as the process lives.
    retryStrategy: (times) => Math.min(50 * times, 1000),
    lazyConnect: false,
  };
}
