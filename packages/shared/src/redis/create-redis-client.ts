import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/types';
import { GatewayError } from '../errors';
import type { RedisClient } from '../queue/task-queue';

/** How the configuration reaches Redis. */
export type RedisMode = 'single' | 'sentinel' | 'cluster';

/** Single unless the config lists sentinels or cluster nodes (checked at load: never both). */
export function redisMode(config: RedisConfig): RedisMode {
  if (config.sentinel.addresses.length > 0) return 'sentinel';
  if (config.cluster.nodes.length > 0) return 'cluster';
  return 'single';
}

/**
 * Opens one connection (a Redis, or a Cluster client) to the configured Redis, whatever the
 * deployment: one server at `url` (only used in single mode: the config's, REDIS_URL or a
 * located one), Sentinel (follows the primary through failovers: it asks the sentinels again
 * on every reconnect and listens for +switch-master) or Cluster; with TLS and ACL user /
 * password when configured. `options` are the caller's timeouts and retry policy. Every
 * connection of the services and alertctl is made here, so none misses TLS or the password.
 */
export function createRedisClient(config: RedisConfig, url: string, options: RedisOptions = {}): RedisClient {
  const tls = tlsOptions(config, url);
  const common: RedisOptions = {
    ...options,
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(tls ? { tls } : {}),
    // CLIENT SETINFO (Redis ≥ 7.2) would need one more ACL permission, for a label in CLIENT LIST.
    disableClientInfo: true,
  };
  const mode = redisMode(config);
  if (mode === 'cluster') {
    const { retryStrategy, enableOfflineQueue, lazyConnect, ...redisOptions } = common;
    return new Cluster(config.cluster.nodes.map(hostPort), {
      redisOptions,
      enableOfflineQueue: enableOfflineQueue ?? true,
      lazyConnect: lazyConnect ?? false,
      ...(retryStrategy ? { clusterRetryStrategy: (times: number) => retryStrategy(times) } : {}),
    });
  }
  if (mode === 'sentinel') {
    return new Redis({
      ...common,
      sentinels: config.sentinel.addresses.map(hostPort),
      name: config.sentinel.masterName,
      role: 'master',
      ...(config.sentinel.password ? { sentinelPassword: config.sentinel.password } : {}),
      // Subscribes to +switch-master, so a primary that is only cut off (not dead) is left at once.
      failoverDetector: true,
      // TLS applies to the primary; the sentinels are asked in plain text.
      enableTLSForSentinelMode: Boolean(tls),
    });
  }
  return new Redis(url, common);
}

/** "host:port" or "[ipv6]:port" → {host, port}; the schema checked the form. */
function hostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/** The TLS options when TLS is on (rediss:// or tls.enabled), with the PEM files read; else undefined. */
function tlsOptions(config: RedisConfig, url: string): ConnectionOptions | undefined {
  const { tls } = config;
  if (!tls.enabled && !/^rediss:/i.test(url)) return undefined;
  const read = (key: 'ca' | 'cert' | 'key') => {
    const file = tls[key];
    if (!file) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new GatewayError('CONFIG_INVALID', `redis.tls.${key}: cannot read ${file} (${code})`, { cause: err });
    }
  };
  const options: ConnectionOptions = { ca: read('ca'), cert: read('cert'), key: read('key') };
  if (tls.servername) options.servername = tls.servername;
  return options;
}
