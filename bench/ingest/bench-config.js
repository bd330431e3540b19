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

module.exports = { benchConfig };
