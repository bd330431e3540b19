import type { ConfigProblem } from '../config/config-path';
import { parseReferences } from '../config/substitute-env';
import type { RedisConfig } from '../config/types';

/** Stands for a `${...}` reference while the literal text of a URL is inspected. */
const REF = '\u0000';

/**
 * Problems of the `redis` section the schema cannot express: a password typed into the
 * file's url (it belongs in `${REDIS_PASSWORD}`, or in an environment REDIS_URL), and
 * settings that only make sense together. `raw` is the section before `${...}`
 * substitution, `redis` after it. Messages never echo the url: it may hold a password.
 */
export function redisConfigProblems(raw: unknown, redis: RedisConfig | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `redis.${path}`, message });
  const rawUrl = (raw as { url?: unknown } | undefined)?.url;
  if (typeof rawUrl === 'string' && hasLiteralPassword(rawUrl)) {
    add('url', 'holds a password: set redis.password to ${REDIS_PASSWORD} (or REDIS_PASSWORD_FILE), or pass the whole url in an environment variable');
  }
  if (!redis || typeof redis !== 'object') return problems;
  const sentinel = redis.sentinel?.addresses?.length > 0;
  const cluster = redis.cluster?.nodes?.length > 0;
  if (sentinel && cluster) add('sentinel.addresses', 'and redis.cluster.nodes are both set: a deployment uses one of them');
  if ((sentinel || cluster) && redis.url) add('url', `must be empty when redis.${sentinel ? 'sentinel.addresses' : 'cluster.nodes'} is set (the addresses come from there)`);
  if (sentinel && !redis.sentinel.masterName) add('sentinel.masterName', 'is required with redis.sentinel.addresses (the name in "sentinel monitor <name> …")');
  if (!sentinel && redis.sentinel?.masterName) add('sentinel.addresses', 'is empty but redis.sentinel.masterName is set: list the sentinels as "host:port"');
  const tls = redis.tls;
  if (tls && Boolean(tls.cert) !== Boolean(tls.key)) add(tls.cert ? 'tls.key' : 'tls.cert', 'is required with the other: a client certificate needs its key');
  const tlsFiles = tls && (tls.ca || tls.cert || tls.key || tls.servername);
  if (tlsFiles && !tls.enabled && !/^rediss:/i.test(redis.url ?? '')) add('tls.enabled', 'is false and the url is not rediss://, so the tls files would be ignored: set enabled: true');
  return problems;
}

/** True when the userinfo of a URL carries a password written in the text itself. */
function hasLiteralPassword(url: string): boolean {
  const { parts, bad } = parseReferences(url);
  if (bad) return false;
  const text = parts.map((p) => (typeof p === 'string' ? p : REF)).join('');
  const userinfo = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)@/.exec(text)?.[1];
  if (userinfo === undefined) return false;
  const colon = userinfo.indexOf(':');
  if (colon < 0) return false;
  return userinfo.slice(colon + 1).split(REF).join('') !== '';
}
