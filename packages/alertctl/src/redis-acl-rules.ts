/**
 * Every command the services and alertctl send, including those their Lua scripts call
 * (Redis checks a script's calls against the caller's ACL too). test/redis/acl.int.test.ts
 * runs the whole path as a user with exactly these and fails on any denial.
 */
export const REDIS_COMMANDS: readonly string[] = [
  // ioredis: PING (readiness), INFO (its ready check, and Sentinel's role check of the primary),
  // QUIT on shutdown (Redis 7.0 lets it through anyway; listed so the line says what happens).
  'ping', 'info', 'quit',
  // Scripts: EVALSHA, and EVAL once per connection when the script is not cached yet (NOSCRIPT).
  'evalsha', 'eval',
  // Workers block on the queue marker; ingest listens to its pub/sub channels, scripts publish.
  'bzpopmin', 'subscribe', 'publish',
  // Read and written from TypeScript (alertctl, the read API, the directory, acks).
  'del', 'get', 'mget', 'set', 'hdel', 'hget', 'hgetall', 'hkeys', 'hmget', 'hset', 'lrange', 'time',
  'zadd', 'zcard', 'zcount', 'zrange', 'zrem', 'zrevrange', 'zscore',
  // Called only inside the Lua scripts.
  'exists', 'hexists', 'hincrby', 'hsetnx', 'incr', 'incrby', 'ltrim', 'persist', 'pexpire', 'pttl',
  'rpush', 'sadd', 'scard', 'sismember', 'smembers', 'srandmember', 'srem', 'zpopmin', 'zrangebyscore', 'zremrangebyscore',
  // Redis Cluster only: ioredis reads the slot map, checks cluster_state and names its
  // pub/sub connection (CLIENT SETNAME ioredis-cluster(subscriber)).
  'cluster|slots', 'cluster|info', 'client|setname',
];

/**
 * The rules of the least-privilege ACL user for key prefix `prefix`, as written after
 * `ACL SETUSER <name>` or `user <name>` in an ACL file: only the gateway's two hash tags,
 * their pub/sub channels and the commands above. `-@all` first, so a command a later version
 * starts to use shows up as a denial in ACL LOG instead of silently widening the grant. INFO is
 * in @dangerous (it shows the server's configuration summary) and is granted on purpose: ioredis
 * needs it to know the server is ready and, with Sentinel, that it talks to the primary.
 */
export function redisAclRules(prefix: string): string {
  const tags = [`{${prefix}}`, `{${prefix}:directory}`];
  return [
    'on',
    ...tags.map((t) => `~${t}*`),
    'resetchannels',
    ...tags.map((t) => `&${t}*`),
    '-@all',
    ...REDIS_COMMANDS.map((c) => `+${c}`),
  ].join(' ');
}
