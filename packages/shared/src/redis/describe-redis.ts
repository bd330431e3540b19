import { redactUrl } from '../config/safe-url';
import type { RedisConfig } from '../config/types';
import { redisMode } from './create-redis-client';

/** True when the URL carries a password (parsed, so "@" or "/" in it cannot mislead). */
function urlHasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
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
        : { url: redactUrl(url) };
  return {
    mode,
    ...where,
    tls: config.tls.enabled || /^rediss:/i.test(url),
    ...(config.username ? { user: config.username } : {}),
    auth: config.password || urlHasPassword(url) ? 'password' : 'none',
  };
}

/** The same as one short line: "sentinel mymaster via 10.0.0.1:26379,…" / "redis://user:***@host:6379". */
export function describeRedisLine(config: RedisConfig, url: string): string {
  const mode = redisMode(config);
  if (mode === 'sentinel') return `sentinel ${config.sentinel.masterName} via ${config.sentinel.addresses.join(',')}`;
  if (mode === 'cluster') return `cluster ${config.cluster.nodes.join(',')}`;
  return redactUrl(url);
}
