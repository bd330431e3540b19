'use strict';
// The gateway config every ingest bench runs with: a small realistic directory (40 users in four
// groups) and three routes, so a delivery of body-10-alerts.json makes an email task for all ten
// alerts and an SMS task for the two critical ones.

/** The config, built by `shared` (the @alertgw/shared build under test) for this Redis and prefix. */
function benchConfig(shared, { redisUrl, prefix, bodyLimitBytes }) {
  const users = [];
  for (let i = 0; i < 40; i++) {
    users.push({
      name: `user${i}`,
      email: `user${i}@example.com`,
      phone: `+86138000000${String(i).padStart(2, '0')}`,
      groups: [i < 2 ? 'oncall' : i < 10 ? 'infra' : i < 20 ? 'dba' : 'dev'],
    });
  }
  return shared.buildConfig(
    {
      redis: { url: redisUrl, keyPrefix: prefix },
      log: { level: 'error' },
      users,
      mandatory: ['group:oncall'],
      routes: [
        { name: 'infra', matchers: ['team="infra"'], notify: ['group:infra'] },
        { name: 'db', matchers: ['team="db"', 'severity=~"critical|warning"'], notify: ['group:dba'], cc: ['dba@example.com'] },
        { name: 'critical-dev', matchers: ['severity="critical"', 'cluster=~"prod-.*"'], notify: ['user25'], channels: ['sms'] },
      ],
      email: { cc: ['audit@example.com'] },
      ingest: { bodyLimitBytes, auth: { bearerTokens: ['${BENCH_TOKEN}'] } },
    },
    { BENCH_TOKEN: 'bench-token' },
  );
}

/**
 * A build's accept step (createAcceptDelivery) on a private redis-server of its own, set up as
 * ingest sets it up, with the bench's config: `root` is a checkout (built), `service` names the
 * logger. `redis` is the accept's connection, `located` the server (stop it when done).
 */
async function acceptStep(root, { prefix, service }) {
  const path = require('node:path');
  const { once } = require('node:events');
  const req = (p) => require(path.join(root, p));
  const shared = req('packages/shared/dist/index.js');
  const ingest = req('packages/ingest/dist/index.js');
  const Redis = req('node_modules/ioredis');
  const located = await shared.startPrivateRedis();
  const config = benchConfig(shared, { redisUrl: located.url, prefix, bodyLimitBytes: 1_048_576 });
  const redis = new Redis(located.url, ingest.ingestRedisOptions());
  await once(redis, 'ready');
  const channels = Object.keys(config.channels).filter((c) => config.channels[c].enabled);
  const accept = ingest.createAcceptDelivery({
    redis,
    config,
    queues: new Map(channels.map((name) => [name, new shared.TaskQueue({ redis, prefix, name })])),
    resolver: shared.createResolver(config, channels),
    metrics: ingest.createIngestMetrics(shared.createRegistry()),
    logger: shared.createLogger({ service, level: 'error' }),
  });
  return { accept, redis, located, Redis };
}

module.exports = { benchConfig, acceptStep };
