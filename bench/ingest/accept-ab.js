#!/usr/bin/env node
'use strict';
// The accept step alone (createAcceptDelivery: routing, the shared part, the one accept script),
// in process, as an interleaved A/B of two builds of this repo: this checkout and --base DIR
// (another checkout, built too). Each side gets its own private redis-server; batches of
// deliveries alternate between the sides (and which goes first), so a host whose speed drifts
// treats both alike. Prints Node CPU (process.cpuUsage around each batch) and Redis CPU
// (INFO cpu) per delivery for each side, and the load average.
//
//   npm run build && node bench/ingest/accept-ab.js --base /path/to/other/checkout [--deliveries 3000] [--concurrency 8] [--base-first]
//
// The body is body-10-alerts.json with a fresh groupKey per delivery (so none is a duplicate),
// parsed before the clock starts: HTTP, body parsing and validation are not in these figures.

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const { acceptStep } = require('./bench-config');

const BATCH = 50;

function parseArgs(argv) {
  const opts = { base: null, deliveries: 3000, concurrency: 8, baseFirst: false };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--base') opts.base = path.resolve(v());
    else if (argv[i] === '--deliveries') opts.deliveries = Number(v());
    else if (argv[i] === '--concurrency') opts.concurrency = Number(v());
    else if (argv[i] === '--base-first') opts.baseFirst = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!opts.base) throw new Error('--base <other checkout> is required');
  return opts;
}

/** One side: a build's accept step on its own private Redis. */
async function side(root, label) {
  const { accept, redis, located, Redis } = await acceptStep(root, { prefix: 'ab', service: 'accept-ab' });
  const probe = new Redis(located.url);
  const redisCpu = async () => {
    const info = await probe.info('cpu');
    const num = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)[1]);
    return (num('used_cpu_user') + num('used_cpu_sys')) * 1e6;
  };
  return {
    label,
    accept,
    redisCpu,
    totals: { node: 0, redis: 0, deliveries: 0 },
    stop: async () => {
      probe.disconnect();
      redis.disconnect();
      await located.stop();
    },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { body } = JSON.parse(fs.readFileSync(path.join(__dirname, 'body-10-alerts.json'), 'utf8'));
  const MARK = '@@COUNTER@@';
  body.groupKey = `${body.groupKey}#${MARK}`;
  const [before, after] = JSON.stringify(body).split(MARK);
  let n = 0;
  const batch = () =>
    Array.from({ length: BATCH }, () => {
      const raw = Buffer.from(`${before}${n++}${after}`);
      return { msg: JSON.parse(raw), raw };
    });
  // The side set up first runs ~5-10 % cheaper even against the same build (JIT, GC): run both orders.
  const roots = [
    [path.resolve(__dirname, '..', '..'), 'this'],
    [opts.base, 'base'],
  ];
  if (opts.baseFirst) roots.reverse();
  const sides = [];
  for (const [root, label] of roots) sides.push(await side(root, label));
  const run = async (s, items, count) => {
    let next = 0;
    const redisBefore = await s.redisCpu();
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        while (next < items.length) {
          const { msg, raw } = items[next++];
          await s.accept(msg, raw);
        }
      }),
    );
    const used = process.cpuUsage(cpu);
    const redisUsed = (await s.redisCpu()) - redisBefore;
    if (!count) return;
    s.totals.node += used.user + used.system;
    s.totals.redis += redisUsed;
    s.totals.deliveries += items.length;
  };
  try {
    // Warm-up: JIT, script caches, and timelines grown to their cap (the steady state).
    for (let k = 0; k < 10; k++) for (const s of sides) await run(s, batch(), false);
    for (let k = 0; k < opts.deliveries / BATCH; k++) {
      for (const s of k % 2 ? sides : [...sides].reverse()) await run(s, batch(), true);
    }
    const per = (s, what) => (s.totals[what] / s.totals.deliveries).toFixed(1);
    for (const s of sides) console.log(`${s.label.padEnd(5)} Node ${per(s, 'node')} µs + Redis ${per(s, 'redis')} µs per delivery (${s.totals.deliveries} deliveries)`);
    console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  } finally {
    for (const s of sides) await s.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
