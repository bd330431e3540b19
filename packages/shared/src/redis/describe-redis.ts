import type { RedisConfig } from '../config/types';
import { redisMode } from './create-redis-client';

/** A Redis URL with its userinfo (user and password) replaced by ***: redis://***@host:6379/0. */
export function redactRedisUrl(url: string): string {
  // Greedy up to the last "@" before the path: a password may itself contain "@".
  return url.replace(/\/\/[^/?#]*@/, '//***@');
}

/**
 * What a service says about the Redis it uses, in its startup line and in CLI output:
 * deployment kind, addresses, TLS and user, never a password.
 */
export function describeRedis(config: RedisConfig, url: string): Record<string, unknown> {
  const mode = redisMode(config);
  const where =
    mode === 'sentinel'
      ? { sentinels: config.sentinel.addresses, masterName: config.sentinel.masterName }
      : mode === 'cluster'
        ? { nodes: config.cluster.nodes }
        : { url: redactRedisUrl(url) };
  return {
    mode,
    ...where,
    tls: config.tls.enabled || /^rediss:/i.test(url),
    ...(config.username ? { user: config.username } : {}),
    auth: config.password || /\/\/[^/?#]*:[^/?#@]+@/.test(url) ? 'password' : 'none',
  };
}

/** The same as one short line: "sentinel mymaster via 10.0.0.1:26379,…" / "redis://***@host:6379". */
export function describeRedisLine(config: RedisConfig, url: string): string {
  const mode = redisMode(config);
  if (mode === 'sentinel') return `sentinel ${config.sentinel.masterName} via ${config.sentinel.addresses.join(',')}`;
  if (mode === 'cluster') return `cluster ${config.cluster.nodes.join(',')}`;
  return redactRedisUrl(url);
}
