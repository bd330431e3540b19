#!/usr/bin/env node
'use strict';
// Queue benchmark: our TaskQueue + Worker against BullMQ 5 on the same Redis, side by side.
// Each measurement runs in a fresh child process (scenario.js). See README.md.
//
//   npm run build && node bench/queue/run.js [--n 20000] [--concurrency 1,16,64]
//     [--rates 1000,5000] [--seconds 5] [--latency-concurrency 16] [--repeat 1]
//     [--only drain|latency] [--json out.json]

const { fork } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const Redis = require('ioredis');

const DIST = path.join(__dirname, '..', '..', 'packages', 'shared', 'dist', 'index.js');

function parseArgs(argv) {
  const opts = {
    n: 20000,
    concurrency: [1, 16, 64],
    rates: [1000, 5000],
    seconds: 5,
    warmupSeconds: 0.5,
    latencyConcurrency: 16,
    repeat: 1,
    only: null,
    json: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--n') opts.n = Number(v());
    else if (a === '--concurrency') opts.concurrency = v().split(',').map(Number);
    else if (a === '--rates') opts.rates = v().split(',').map(Number);
    else if (a === '--seconds') opts.seconds = Number(v());
    else if (a === '--warmup') opts.warmupSeconds = Number(v());
    else if (a === '--latency-concurrency') opts.latencyConcurrency = Number(v());
    else if (a === '--repeat') opts.repeat = Math.max(1, Number(v()));
    else if (a === '--only') opts.only = v();
    else if (a === '--json') opts.json = v();
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 9).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

function runScenario(spec) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'scenario.js'), [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply = null;
    child.on('message', (m) => (reply = m));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (reply && reply.ok) resolve(reply.result);
      else reject(new Error(`${spec.system} ${spec.kind} failed (exit ${code}): ${reply ? reply.error : 'no reply'}`));
    });
  });
}

/** Deletes every key of this run (both systems' prefixes contain the run id). */
async function deleteRunKeys(redisUrl, runId) {
  const redis = new Redis(redisUrl, { lazyConnect: false });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${runId}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

const median = (values) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

const fmt = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => `| ${r.map((cell, c) => String(cell).padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} missing: run \`npm run build\` first`);
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const runId = `qbench-${randomBytes(4).toString('hex')}`;
  const base = { redisUrl, prefix: runId, bullPrefix: `${runId}-bull` };
  const results = { runId, redisUrl: redisUrl.replace(/\/\/[^@]*@/, '//***@'), opts, drain: [], latency: [] };
  const info = await (async () => {
    const r = new Redis(redisUrl);
    const s = await r.info('server');
    r.disconnect();
    return /redis_version:(\S+)/.exec(s)?.[1];
  })();
  console.log(`queue bench ${runId}: redis ${info} at ${results.redisUrl}, node ${process.version}, ${require('node:os').cpus().length} cpus`);

  let seq = 0;
  // Alternate who goes first, so a neighbour's load spike does not always hit the same side.
  const order = () => (seq % 4 < 2 ? ['ours', 'bullmq'] : ['bullmq', 'ours']);
  const pair = async (spec, describe) => {
    const run = {};
    for (const system of order()) {
      run[system] = await runScenario({ ...spec, system, name: `${spec.kind}${++seq}` });
      const r = run[system];
      const expected = r.tasks ?? r.sent;
      if (r.counts.completed !== expected) console.warn(`  WARNING: ${system} completed ${r.counts.completed} of ${expected}`);
      process.stdout.write(`  ${describe(system, r)} (load ${fmt(r.loadAvg[0], 1)})\n`);
    }
    await deleteRunKeys(redisUrl, runId);
    return run;
  };
  try {
    if (opts.only !== 'latency') {
      for (const concurrency of opts.concurrency) {
        const row = { concurrency, runs: [] };
        for (let i = 0; i < opts.repeat; i++) {
          const spec = { ...base, kind: 'drain', n: opts.n, concurrency };
          row.runs.push(
            await pair(spec, (system, r) =>
              `drain c=${concurrency} ${system}: ${fmt(r.rate)} tasks/s (CPU per task: node ${fmt(r.nodeCpuUsPerTask)} µs, redis ${fmt(r.redisCpuUsPerTask)} µs)`,
            ),
          );
        }
        results.drain.push(row);
      }
    }
    if (opts.only !== 'drain') {
      for (const rate of opts.rates) {
        const row = { rate, runs: [] };
        for (let i = 0; i < opts.repeat; i++) {
          const spec = { ...base, kind: 'latency', rate, seconds: opts.seconds, warmupSeconds: opts.warmupSeconds, concurrency: opts.latencyConcurrency };
          row.runs.push(
            await pair(spec, (system, r) =>
              `latency ${rate}/s ${system}: p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, max ${fmt(r.max, 1)} ms, achieved ${fmt(r.achievedRate)}/s`,
            ),
          );
        }
        results.latency.push(row);
      }
    }
  } finally {
    const n = await deleteRunKeys(redisUrl, runId);
    if (n) console.log(`deleted ${n} leftover keys`);
  }

  const many = opts.repeat > 1;
  // With --repeat, each cell is the median of the runs; ratios are medians of back-to-back pairs.
  const cell = (values, digits = 0, suffix = '') =>
    many ? `${fmt(median(values), digits)}${suffix} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})` : `${fmt(values[0], digits)}${suffix}`;
  const targets = [];
  if (results.drain.length) {
    console.log(`\nDrain throughput: ${opts.n} pre-filled ~1 KB tasks, one worker, no-op send (tasks/s${many ? `; median (min–max) of ${opts.repeat} runs` : ''})\n`);
    const rows = [['concurrency', 'ours', 'BullMQ', 'ours / BullMQ', 'CPU µs/task ours (node+redis)', 'CPU µs/task BullMQ']];
    for (const row of results.drain) {
      const of = (system, f) => row.runs.map((run) => f(run[system]));
      const cpu = (r) => r.nodeCpuUsPerTask + r.redisCpuUsPerTask;
      row.ratios = row.runs.map((run) => run.ours.rate / run.bullmq.rate);
      rows.push([
        row.concurrency,
        cell(of('ours', (r) => r.rate)),
        cell(of('bullmq', (r) => r.rate)),
        cell(row.ratios, 2, '×'),
        cell(of('ours', cpu)),
        cell(of('bullmq', cpu)),
      ]);
    }
    console.log(table(rows));
    const c16 = results.drain.find((r) => r.concurrency === 16);
    if (c16) {
      targets.push([`drain rate at concurrency 16 ≥ 2× BullMQ`, `${fmt(median(c16.ratios), 2)}×`, median(c16.ratios) >= 2]);
      // CPU per task (node + Redis) of ours over BullMQ's, per pair: steadier than rates on a busy host.
      const cpu = (r) => r.nodeCpuUsPerTask + r.redisCpuUsPerTask;
      const cpuRatio = median(c16.runs.map((run) => cpu(run.ours) / cpu(run.bullmq)));
      targets.push([`CPU per task at concurrency 16 ≤ ½ of BullMQ's`, `${fmt(cpuRatio, 2)}×`, cpuRatio <= 0.5]);
    }
  }
  if (results.latency.length) {
    console.log(
      `\nEnqueue→claim latency: fixed-rate producer, one worker at concurrency ${opts.latencyConcurrency}, ${opts.seconds} s after ${opts.warmupSeconds} s warm-up (ms${many ? `; median (min–max) of ${opts.repeat} runs` : ''})\n`,
    );
    const rows = [['rate', 'achieved ours / BullMQ', 'p50 ours', 'p50 BullMQ', 'p99 ours', 'p99 BullMQ']];
    for (const row of results.latency) {
      const of = (system, f) => row.runs.map((run) => f(run[system]));
      rows.push([
        `${row.rate}/s`,
        `${fmt(median(of('ours', (r) => r.achievedRate)))} / ${fmt(median(of('bullmq', (r) => r.achievedRate)))}`,
        cell(of('ours', (r) => r.p50), 2),
        cell(of('bullmq', (r) => r.p50), 2),
        cell(of('ours', (r) => r.p99), 2),
        cell(of('bullmq', (r) => r.p99), 2),
      ]);
    }
    console.log(table(rows));
    const l5k = results.latency.find((r) => r.rate === 5000);
    if (l5k) {
      const p99 = median(l5k.runs.map((run) => run.ours.p99));
      targets.push([`enqueue→claim p99 at 5k/s ≤ 5 ms`, `${fmt(p99, 2)} ms`, p99 <= 5]);
    }
  }
  if (targets.length) {
    console.log('\nTargets');
    for (const [what, got, ok] of targets) console.log(`  ${ok ? 'PASS' : 'FAIL'}  ${what}: ${got}`);
  }
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err.stack || err);
  process.exit(1);
});
