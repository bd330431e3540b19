import { createRedisClient, describeRedisLine, loadConfig, quitRedis, redisMode, type GatewayConfig, type RedisClient } from '@alertgw/shared';
import { CliError, stringOpt, type CliContext, type ParsedArgs } from './command';

/** Where Redis is when neither the config nor REDIS_URL says: the same default the services use. */
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const CONNECT_TIMEOUT_MS = 3000;

/** Loads the configuration the way the services do: --config, else $CONFIG, else ./config.yaml, else the example. */
export function loadCliConfig(args: ParsedArgs, ctx: CliContext): { config: GatewayConfig; path: string } {
  const file = stringOpt(args, 'config');
  // The loader's message lists every problem with its path; it is printed as it is.
  return loadConfig({ argv: file === undefined ? [] : ['--config', file], env: ctx.env, cwd: ctx.cwd });
}

/** The Redis URL for a CLI run: config redis.url, else REDIS_URL, else 127.0.0.1:6379 (never a private server). Single mode only. */
export function cliRedisUrl(config: GatewayConfig, env: NodeJS.ProcessEnv): string {
  return config.redis.url || env.REDIS_URL || DEFAULT_REDIS_URL;
}

/**
 * Connects to the configured Redis (one server, Sentinel or Cluster, with TLS and password
 * as the services do) and fails fast with one clear line when nobody answers: a CLI must not
 * hang in reconnect loops, and must not start an empty private Redis the way `npm start` may.
 */
export async function openRedis(config: GatewayConfig, url: string): Promise<RedisClient> {
  const redis = createRedisClient(config.redis, url, {
    lazyConnect: true,
    // One deadline below covers connect and the first PING (a port that accepts but never answers).
    connectTimeout: 0,
    commandTimeout: 10_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  // The socket error (ECONNREFUSED, ENOTFOUND…) comes as an event; connect() only says "closed".
  let socketError: NodeJS.ErrnoException | undefined;
  redis.on('error', (err: NodeJS.ErrnoException) => {
    socketError ??= err;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('no answer within 3 s'), { code: 'ETIMEDOUT' })), CONNECT_TIMEOUT_MS);
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), timeout]);
  } catch (err) {
    // On a connection that already ended, disconnect() arms a 2 s timer that holds the process.
    if (redis.status !== 'end') redis.disconnect();
    const cause = (err as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? (err as NodeJS.ErrnoException) : (socketError ?? (err as NodeJS.ErrnoException));
    const reason = cause.code ?? cause.message;
    throw new CliError(`cannot reach Redis at ${describeRedisLine(config.redis, url)}: ${reason} (set REDIS_URL or redis.url in the config)`);
  } finally {
    clearTimeout(timer);
  }
  return redis;
}

/** Runs `fn` with a connection to the configured Redis and always closes it; `where` names it without a password. */
export async function withRedis<T>(config: GatewayConfig, ctx: CliContext, fn: (redis: RedisClient, where: string) => Promise<T>): Promise<T> {
  const url = redisMode(config.redis) === 'single' ? cliRedisUrl(config, ctx.env) : '';
  const redis = await openRedis(config, url);
  try {
    return await fn(redis, describeRedisLine(config.redis, url));
  } finally {
    await quitRedis(redis);
  }
}
