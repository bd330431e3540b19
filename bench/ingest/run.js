#!/usr/bin/env node
'use strict';
// Ingest benchmark: the real ingest app against a bare express handler that only parses the
// same JSON body, side by side in one run, each server in its own child process (server.js),
// the load from this one: autocannon for the most req/s, a steady open-loop sender for the
// latency at a fixed rate. The body is a real 10-alert Alertmanager 0.25 delivery
// (body-10-alerts.json, from capture-body.js); every request gets a fresh counter in its groupKey,
// so each one is a new delivery that does the full work (resolve, 2 tasks, 10 alert records)
// instead of being answered as a duplicate.
//
//   npm run build && node bench/ingest/run.js [--seconds 10] [--warmup 3] [--rounds 3] [--connections 32]
//     [--rate 2000] [--rate-connections 64] [--json out.json]
//
// Redis: a private redis-server on a free port (no persistence), unless REDIS_URL is set.
// Besides req/s and latency it prints CPU µs per request of each server and of Redis, which
// stay meaningful on a host shared with other work. BENCH_CPU_PROF=<dir> writes .cpuprofile
// files of both servers there; BENCH_TRACE_GC=1 runs them with --trace-gc.
// Targets (issue 4): ingest ≥ 0.6 × the bare handler's req/s; p99 ≤ 20 ms at 2,000 req/s.

const { fork } = require('node:child_process');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const autocannon = require('autocannon');

const SHARED = path.join(__dirname, '..', '..', 'packages', 'shared', 'dist', 'index.js');
const BODY_LIMIT = 1_048_576;
const KINDS = ['bare', 'ingest'];

function parseArgs(argv) {
  const opts = { seconds: 10, warmup: 3, rounds: 3, connections: 32, rate: 2000, rateConnections: 64, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--seconds') opts.seconds = Number(v());
    else if (a === '--warmup') opts.warmup = Number(v());
    else if (a === '--rounds') opts.rounds = Number(v());
    else if (a === '--connections') opts.connections = Number(v());
    else if (a === '--rate') opts.rate = Number(v());
    else if (a === '--rate-connections') opts.rateConnections = Number(v());
    else if (a === '--json') opts.json = v();
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 19).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/**
 * The recorded delivery, split around its groupKey so each request can carry a fresh counter
 * there cheaply (a string concatenation, not a JSON round trip in the load generator).
 */
function loadBody() {
  const { headers, body } = JSON.parse(fs.readFileSync(path.join(__dirname, 'body-10-alerts.json'), 'utf8'));
  if (body.alerts.length !== 10) throw new Error('body-10-alerts.json must hold 10 alerts');
  const MARK = '@@COUNTER@@';
  body.groupKey = `${body.groupKey}#${MARK}`;
  const [before, after] = JSON.stringify(body).split(MARK);
  let n = 0;
  return {
    headers: { 'content-type': headers['content-type'], authorization: 'Bearer bench-token', 'user-agent': headers['user-agent'] },
    next: () => Buffer.from(`${before}${process.pid}-${n++}${after}`),
    bytes: Buffer.byteLength(`${before}0${after}`),
  };
}

function startServer(spec) {
  return new Promise((resolve, reject) => {
    const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    if (process.env.BENCH_TRACE_GC) execArgv.push('--trace-gc');
    const child = fork(path.join(__dirname, 'server.js'), [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${spec.kind} server exited (${code})`)));
    child.once('message', (m) => {
      const ask = (what) =>
        new Promise((res) => {
          child.once('message', (reply) => res(reply.stats));
          child.send(what);
        });
      resolve({
        url: `http://127.0.0.1:${m.port}`,
        stats: () => ask('stats'),
        stop: () =>
          new Promise((res) => {
            child.removeAllListeners('exit');
            child.once('exit', res);
            child.send('stop');
          }),
      });
    });
  });
}

function load(url, request, opts) {
  return autocannon({
    url: `${url}/webhook/alertmanager`,
    method: 'POST',
    headers: request.headers,
    requests: [
      {
        setupRequest(req) {
          req.body = request.next();
          return req;
        },
      },
    ],
    connections: opts.connections,
    duration: opts.seconds,
  });
}

/**
 * Open-loop load at a steady rate: every millisecond it sends what the rate owes, and each
 * latency counts from the moment the request was due, so a stalled server cannot hide its
 * queue (no coordinated omission). autocannon's own rate limit sends in bursts, which
 * measures the burst, not the server.
 */
function steadyLoad(url, request, { rate, seconds, connections }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(`${url}/webhook/alertmanager`);
  const total = Math.round(rate * seconds);
  const latencies = new Float64Array(total);
  let sent = 0;
  let done = 0;
  let non2xx = 0;
  let errors = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      if (++done < total) return;
      clearInterval(timer);
      agent.destroy();
      const elapsed = (performance.now() - start) / 1000;
      const sorted = latencies.slice(0, total).sort();
      const pct = (p) => Number(sorted[Math.min(total - 1, Math.floor((p / 100) * total))].toFixed(2));
      resolve({
        requests: { average: total / elapsed, total },
        non2xx,
        errors,
        timeouts: 0,
        latency: { p50: pct(50), p90: pct(90), p99: pct(99), max: Number(sorted[total - 1].toFixed(2)) },
      });
    };
    const fire = (index, dueAt) => {
      const body = request.next();
      const req = http.request(
        target,
        { method: 'POST', agent, headers: { ...request.headers, 'content-length': body.length } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies[index] = performance.now() - dueAt;
            if (res.statusCode < 200 || res.statusCode > 299) non2xx++;
            finish();
          });
        },
      );
      req.on('error', () => {
        latencies[index] = performance.now() - dueAt;
        errors++;
        finish();
      });
      req.end(body);
    };
    const timer = setInterval(() => {
      const owed = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < owed) {
        const dueAt = start + (sent / rate) * 1000;
        fire(sent++, dueAt);
      }
    }, 1);
  });
}

function summary(r) {
  return {
    reqPerSec: Math.round(r.requests.average),
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { startPrivateRedis } = require(SHARED);
  const located = process.env.REDIS_URL
    ? { url: process.env.REDIS_URL, source: 'env', stop: async () => {} }
    : await startPrivateRedis();
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const request = loadBody();
  const results = { body: { alerts: 10, bytes: request.bytes }, redis: located.source, runs: {} };
  console.log(`redis ${located.source}; body ${results.body.bytes} bytes, 10 alerts; ${opts.seconds}s per run`);

  const Redis = require('ioredis');
  const probe = new Redis(located.url);
  const redisCpu = async () => {
    const info = await probe.info('cpu');
    const num = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)[1]);
    return (num('used_cpu_user') + num('used_cpu_sys')) * 1e6;
  };

  // Both servers run for the whole bench and take turns under load, round after round: this host's
  // speed drifts by tens of percent from one minute to the next, so a ratio is only fair between
  // runs made close together, and the median of several such ratios says more than any one.
  const servers = {};
  try {
    for (const kind of KINDS) servers[kind] = await startServer({ kind, redisUrl: located.url, prefix: `${prefix}-${kind}`, bodyLimitBytes: BODY_LIMIT });
    const measure = async (kind, loadOpts) => {
      const server = servers[kind];
      await server.stats();
      const redisBefore = await redisCpu();
      const r = summary(await (loadOpts.rate ? steadyLoad(server.url, request, loadOpts) : load(server.url, request, loadOpts)));
      const stats = await server.stats();
      r.serverCpuMicrosPerReq = Math.round(stats.cpuMicros / r.total);
      r.redisCpuMicrosPerReq = Math.round(((await redisCpu()) - redisBefore) / r.total);
      r.stats = stats;
      return r;
    };
    const cpu = (r) => `server CPU ${r.serverCpuMicrosPerReq} µs/req, Redis CPU ${r.redisCpuMicrosPerReq} µs/req`;
    for (const kind of KINDS) await load(servers[kind].url, request, { connections: opts.connections, seconds: opts.warmup });
    results.rounds = [];
    for (let round = 1; round <= opts.rounds; round++) {
      const pair = {};
      for (const kind of KINDS) {
        pair[kind] = await measure(kind, { connections: opts.connections, seconds: opts.seconds });
        const r = pair[kind];
        console.log(`round ${round} ${kind.padEnd(6)} max: ${r.reqPerSec} req/s (p99 ${r.latencyMs.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}); ${cpu(r)}`);
      }
      pair.ratio = Number((pair.ingest.reqPerSec / pair.bare.reqPerSec).toFixed(3));
      console.log(`round ${round} ingest / bare: ${pair.ratio.toFixed(2)}x`);
      results.rounds.push(pair);
    }
    for (const kind of KINDS) {
      const fixed = await measure(kind, { connections: opts.rateConnections, seconds: opts.seconds, rate: opts.rate });
      results.runs[kind] = { fixed };
      console.log(
        `${kind.padEnd(6)} @${opts.rate}/s: ${fixed.reqPerSec} req/s, p50 ${fixed.latencyMs.p50} ms, p99 ${fixed.latencyMs.p99} ms, max ${fixed.latencyMs.max} ms (non-2xx ${fixed.non2xx}, errors ${fixed.errors}); ${cpu(fixed)}`,
      );
      const counts = fixed.stats.counts;
      if (counts.email) console.log(`       tasks in Redis: email ${counts.email.pending}, sms ${counts.sms.pending}; redis memory ${fixed.stats.memory}`);
    }
  } finally {
    for (const server of Object.values(servers)) await server.stop();
    probe.disconnect();
    const redis = new Redis(located.url);
    for (const pattern of [`{${prefix}*`, `${prefix}*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
        if (keys.length) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
    redis.disconnect();
    await located.stop();
  }

  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const ratio = median(results.rounds.map((r) => r.ratio));
  results.ratio = ratio;
  const cpuRatio = median(
    results.rounds.map((r) => r.bare.serverCpuMicrosPerReq / (r.ingest.serverCpuMicrosPerReq + r.ingest.redisCpuMicrosPerReq)),
  );
  results.cpuRatio = Number(cpuRatio.toFixed(3));
  const { bare, ingest } = results.runs;
  results.targets = {
    throughputRatio: { target: '>= 0.6', measured: ratio, ok: ratio >= 0.6 },
    p99AtRate: { target: `<= 20 ms at ${opts.rate} req/s`, measured: ingest.fixed.latencyMs.p99, ok: ingest.fixed.latencyMs.p99 <= 20 && ingest.fixed.non2xx === 0 },
  };
  console.log('');
  console.log(
    `ingest / bare throughput, median of ${opts.rounds} rounds: ${ratio.toFixed(2)}x (target >= 0.6) ${results.targets.throughputRatio.ok ? 'OK' : 'MISSED'}`,
  );
  console.log(
    `CPU per request, bare / (ingest + its Redis), median: ${cpuRatio.toFixed(2)}x — the req/s ratio one core each would give, less sensitive to a busy host`,
  );
  console.log(
    `p99 at ${opts.rate} req/s: ingest ${ingest.fixed.latencyMs.p99} ms (target <= 20 ms) ${results.targets.p99AtRate.ok ? 'OK' : 'MISSED'}; ` +
      `the bare handler, same load: ${bare.fixed.latencyMs.p99} ms`,
  );
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
