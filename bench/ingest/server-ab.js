#!/usr/bin/env node
'use strict';
// The whole webhook path (HTTP, validation, the accept, the answer) as an interleaved A/B of two
// builds of this repo: this checkout and --base DIR (another checkout, built too). Each side is
// its own server.js process with its own private redis-server; short closed-loop batches
// (autocannon) alternate between the sides, and which goes first, so a host whose speed drifts
// treats both alike. Prints each side's server CPU (process.cpuUsage) and Redis CPU (INFO cpu)
// per delivery, batch by batch and the median, and the load average. With --bare the bare express
// handler takes its turns too, as the yardstick to scale by (its CPU per request on a quiet host
// is known from run.js).
//
//   npm run build && node bench/ingest/server-ab.js --base /path/to/other/checkout [--batches 8] [--seconds 3] [--connections 16] [--bare]

const { fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const Redis = require('ioredis');

const HERE = path.join(__dirname, '..', '..');

function parseArgs(argv) {
  const opts = { base: null, batches: 8, seconds: 3, connections: 16, bare: false };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--base') opts.base = path.resolve(v());
    else if (argv[i] === '--batches') opts.batches = Number(v());
    else if (argv[i] === '--seconds') opts.seconds = Number(v());
    else if (argv[i] === '--connections') opts.connections = Number(v());
    else if (argv[i] === '--bare') opts.bare = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!opts.base) throw new Error('--base <other checkout> is required');
  return opts;
}

/** A build's server.js (kind ingest or bare) on its own port; `stats` answers its CPU since the last call. */
function startServer(root, spec) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(root, 'bench', 'ingest', 'server.js'), [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('exit', (code) => reject(new Error(`server of ${root} exited (${code})`)));
    child.once('message', (m) =>
      resolve({
        url: `http://127.0.0.1:${m.port}`,
        stats: () =>
          new Promise((r) => {
            child.once('message', (reply) => r(reply.stats));
            child.send('stats');
          }),
        stop: () =>
          new Promise((r) => {
            child.removeAllListeners('exit');
            child.once('exit', r);
            child.send('stop');
          }),
      }),
    );
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { startPrivateRedis } = require(path.join(HERE, 'packages', 'shared', 'dist', 'index.js'));
  const { headers, body } = JSON.parse(fs.readFileSync(path.join(__dirname, 'body-10-alerts.json'), 'utf8'));
  body.groupKey = `${body.groupKey}#@@COUNTER@@`;
  const [before, after] = JSON.stringify(body).split('@@COUNTER@@');
  let n = 0;
  const roots = { base: opts.base, this: HERE, ...(opts.bare ? { bare: HERE } : {}) };
  const sides = {};
  try {
    for (const [name, root] of Object.entries(roots)) {
      const redis = await startPrivateRedis();
      const probe = new Redis(redis.url);
      sides[name] = { redis, probe, server: null, cpu: [], redisCpu: [] };
      sides[name].server = await startServer(root, { kind: name === 'bare' ? 'bare' : 'ingest', redisUrl: redis.url, prefix: `ab-${name}`, bodyLimitBytes: 1_048_576 });
    }
    const redisCpu = async (probe) => {
      const info = await probe.info('cpu');
      const num = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)[1]);
      return (num('used_cpu_user') + num('used_cpu_sys')) * 1e6;
    };
    const load = (url, seconds) =>
      autocannon({
        url: `${url}/webhook/alertmanager`,
        method: 'POST',
        headers: { 'content-type': headers['content-type'], authorization: 'Bearer bench-token' },
        connections: opts.connections,
        duration: seconds,
        requests: [{ setupRequest: (req) => ((req.body = `${before}${process.pid}-${n++}${after}`), req) }],
      });
    for (const s of Object.values(sides)) await load(s.server.url, 2);
    const names = Object.keys(sides);
    for (let b = 0; b < opts.batches; b++) {
      for (const name of b % 2 ? [...names].reverse() : names) {
        const s = sides[name];
        await s.server.stats();
        const redisBefore = await redisCpu(s.probe);
        const r = await load(s.server.url, opts.seconds);
        const stats = await s.server.stats();
        if (r.non2xx || r.errors) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        s.cpu.push(Math.round(stats.cpuMicros / r.requests.total));
        s.redisCpu.push(Math.round(((await redisCpu(s.probe)) - redisBefore) / r.requests.total));
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    for (const [name, s] of Object.entries(sides)) {
      console.log(`${name.padEnd(5)} server CPU µs/delivery ${s.cpu.join(' ')} (median ${median(s.cpu)}); Redis ${s.redisCpu.join(' ')} (median ${median(s.redisCpu)})`);
    }
    console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  } finally {
    for (const s of Object.values(sides)) {
      if (s.server) await s.server.stop();
      s.probe.disconnect();
      await s.redis.stop();
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
