'use strict';
// One server under test, in its own process so it gets a core of its own and the load
// generator never shares its event loop: `node server.js <json spec>`; it reports its port
// (and later its stats) to run.js over IPC.
//
// spec: { kind: 'ingest' | 'bare', redisUrl, prefix, bodyLimitBytes, processes (default 1) }
// With processes > 1 this process starts that many node:cluster workers on one port, as
// `ingest.workers` does, and sums their CPU.

const cluster = require('node:cluster');
const { once } = require('node:events');
const http = require('node:http');
const path = require('node:path');
const express = require('express');
const { benchConfig } = require('./bench-config');

const DIST = path.join(__dirname, '..', '..', 'packages');
const spec = JSON.parse(process.argv[2]);

/** The bare reference: express parsing the same JSON body and answering, nothing else. */
function bareApp() {
  const app = express();
  app.disable('x-powered-by');
  app.post('/webhook/alertmanager', express.json({ limit: spec.bodyLimitBytes }), (req, res) => {
    res.json({ ok: true, alerts: req.body.alerts.length });
  });
  return app;
}

/** The real ingest app, built the way main.ts builds it, with the bench's directory (bench-config.js). */
function ingestApp() {
  const Redis = require('ioredis');
  const shared = require(path.join(DIST, 'shared', 'dist', 'index.js'));
  const { createApp, ingestRedisOptions } = require(path.join(DIST, 'ingest', 'dist', 'index.js'));
  const config = benchConfig(shared, spec);
  const redis = new Redis(spec.redisUrl, ingestRedisOptions());
  const channels = Object.keys(config.channels).filter((c) => config.channels[c].enabled);
  const queues = new Map(channels.map((name) => [name, new shared.TaskQueue({ redis, prefix: spec.prefix, name })]));
  const logger = shared.createLogger({ service: 'bench-ingest', level: 'error' });
  const { serve } = createApp({ config, redis, queues, resolver: shared.createResolver(config, channels), logger });
  return { serve, redis, queues };
}

/** Runs one server in this process; `report` sends its port, then answers 'cpu' and 'stats'. */
async function serve(report) {
  const built = spec.kind === 'ingest' ? ingestApp() : { serve: bareApp() };
  if (built.redis) await once(built.redis, 'ready');
  // As main.ts serves ingest (the bare express app is its own request listener).
  const server = http.createServer(built.serve).listen(0, '127.0.0.1');
  await once(server, 'listening');
  report({ port: server.address().port });
  let cpu = process.cpuUsage();
  // CPU this process used since the last call: a fairer cost measure than req/s on a busy host.
  const cpuSince = () => {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    return used.user + used.system;
  };
  process.on('message', async (m) => {
    if (m === 'cpu') report({ cpuMicros: cpuSince() });
    else if (m === 'stats') {
      const counts = {};
      if (built.queues) for (const [name, q] of built.queues) counts[name] = await q.counts();
      const info = built.redis ? await built.redis.info('memory') : '';
      const memory = built.redis ? Number(/used_memory:(\d+)/.exec(info)[1]) : null;
      report({ stats: { counts, memory, cpuMicros: cpuSince() } });
    } else if (m === 'stop') {
      server.closeAllConnections();
      server.close();
      if (built.redis) built.redis.disconnect();
      process.exit(0);
    }
  });
}

/** The primary of `processes` workers: relays the port, sums the workers' CPU into the first one's stats. */
async function primary(processes) {
  const workers = Array.from({ length: processes }, () => cluster.fork());
  const next = (w) => new Promise((resolve) => w.once('message', resolve));
  const ports = await Promise.all(workers.map(next));
  process.send({ port: ports[0].port });
  process.on('message', async (m) => {
    if (m === 'stop') {
      for (const w of workers) w.send('stop');
      await Promise.all(workers.map((w) => once(w, 'exit')));
      process.exit(0);
    }
    const [first, ...rest] = await Promise.all(workers.map((w, i) => (w.send(i === 0 ? m : 'cpu'), next(w))));
    if (first.stats) first.stats.cpuMicros += rest.reduce((sum, r) => sum + r.cpuMicros, 0);
    process.send(first);
  });
}

async function main() {
  const processes = spec.processes ?? 1;
  if (processes > 1 && cluster.isPrimary) return primary(processes);
  return serve((m) => process.send(m));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
