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
//     [--rate 1000] [--rate-connections 64] [--processes 2] [--json out.json]
//
// Redis: a private redis-server on a free port (no persistence), unless REDIS_URL is set.
// Besides req/s and latency it prints CPU µs per request of each server and of Redis, which
// stay meaningful on a host shared with other work, the Redis memory each accepted delivery
// keeps (used_memory before and after the fixed-rate run, divided by its deliveries), and the
// load average. --processes N adds ingest as N node:cluster workers (ingest.workers) to the rounds.
// BENCH_CPU_PROF=<dir> writes .cpuprofile files of the servers there; BENCH_TRACE_GC=1 runs them
// with --trace-gc. Targets (issue 16): CPU per delivery (server + Redis) ≤ 450 µs; p99 ≤ 20 ms at
// 1,000 req/s; Redis memory per delivery ≤ the body.

const { fork } = require('node:child_process');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const autocannon = require('autocannon');

const SHARED = path.join(__dirname, '..', '..', 'packages', 'shared', 'dist', 'index.js');
const os = require('node:os');

const BODY_LIMIT = 1_048_576;

function parseArgs(argv) {
  const opts = { seconds: 10, warmup: 3, rounds: 3, connections: 32, rate: 1000, rateConnections: 64, processes: 1, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--seconds') opts.seconds = Number(v());
    else if (a === '--warmup') opts.warmup = Number(v());
    else if (a === '--rounds') opts.rounds = Number(v());
    else if (a === '--connections') opts.connections = Number(v());
    else if (a === '--rate') opts.rate = Number(v());
    else if (a === '--rate-connections') opts.rateConnections = Number(v());
    else if (a === '--processes') opts.processes = Number(v());
    else if (a === '--json') opts.json = v();
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 22).join('\n'));
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
  // Who takes turns under load: the bare handler, ingest as one process, and with --processes N
  // ingest as N cluster workers.
  const kinds = { bare: { kind: 'bare' }, ingest: { kind: 'ingest' } };
  if (opts.processes > 1) kinds[`ingest×${opts.processes}`] = { kind: 'ingest', processes: opts.processes };
  const names = Object.keys(kinds);
  const results = { body: { alerts: 10, bytes: request.bytes }, redis: located.source, cores: os.cpus().length, runs: {}, load: [] };
  const loadAvg = (when) => {
    const l = os.loadavg().map((x) => Number(x.toFixed(2)));
    results.load.push({ when, load: l });
    return `load average ${l.join(' ')} (${os.cpus().length} cores)`;
  };
  console.log(`redis ${located.source}; body ${results.body.bytes} bytes, 10 alerts; ${opts.seconds}s per run; ${loadAvg('start')}`);

  const Redis = require('ioredis');
  const probe = new Redis(located.url);
  const redisCpu = async () => {
    const info = await probe.info('cpu');
    const num = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)[1]);
    return (num('used_cpu_user') + num('used_cpu_sys')) * 1e6;
  };

  // The servers run for the whole bench and take turns under load, round after round: this host's
  // speed drifts by tens of percent from one minute to the next, so a ratio is only fair between
  // runs made close together, and the median of several such ratios says more than any one.
  const servers = {};
  try {
    for (const name of names) {
      servers[name] = await startServer({ ...kinds[name], redisUrl: located.url, prefix: `${prefix}-${name.replace('×', 'x')}`, bodyLimitBytes: BODY_LIMIT });
    }
    const measure = async (name, loadOpts) => {
      const server = servers[name];
      const before = await server.stats();
      const redisBefore = await redisCpu();
      const r = summary(await (loadOpts.rate ? steadyLoad(server.url, request, loadOpts) : load(server.url, request, loadOpts)));
      const stats = await server.stats();
      r.serverCpuMicrosPerReq = Math.round(stats.cpuMicros / r.total);
      r.redisCpuMicrosPerReq = Math.round(((await redisCpu()) - redisBefore) / r.total);
      if (stats.memory !== null) r.redisBytesPerReq = Math.round((stats.memory - before.memory) / r.total);
      r.stats = stats;
      return r;
    };
    const cpu = (r) => `server CPU ${r.serverCpuMicrosPerReq} µs/req, Redis CPU ${r.redisCpuMicrosPerReq} µs/req`;
    for (const name of names) await load(servers[name].url, request, { connections: opts.connections, seconds: opts.warmup });
    results.rounds = [];
    for (let round = 1; round <= opts.rounds; round++) {
      const pair = {};
      for (const name of names) {
        pair[name] = await measure(name, { connections: opts.connections, seconds: opts.seconds });
        const r = pair[name];
        console.log(`round ${round} ${name.padEnd(8)} max: ${r.reqPerSec} req/s (p99 ${r.latencyMs.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}); ${cpu(r)}`);
      }
      pair.ratio = Number((pair.ingest.reqPerSec / pair.bare.reqPerSec).toFixed(3));
      let line = `round ${round} ingest / bare: ${pair.ratio.toFixed(2)}x`;
      if (opts.processes > 1) {
        pair.scaleOut = Number((pair[names[2]].reqPerSec / pair.ingest.reqPerSec).toFixed(3));
        line += `; ${names[2]} / ingest: ${pair.scaleOut.toFixed(2)}x`;
      }
      console.log(`${line}; ${loadAvg(`round ${round}`)}`);
      results.rounds.push(pair);
    }
    for (const name of names) {
      const fixed = await measure(name, { connections: opts.rateConnections, seconds: opts.seconds, rate: opts.rate });
      results.runs[name] = { fixed };
      console.log(
        `${name.padEnd(8)} @${opts.rate}/s: ${fixed.reqPerSec} req/s, p50 ${fixed.latencyMs.p50} ms, p99 ${fixed.latencyMs.p99} ms, max ${fixed.latencyMs.max} ms (non-2xx ${fixed.non2xx}, errors ${fixed.errors}); ${cpu(fixed)}`,
      );
      const counts = fixed.stats.counts;
      if (counts.email) {
        console.log(
          `         tasks in Redis: email ${counts.email.pending}, sms ${counts.sms.pending}; Redis memory ${(fixed.stats.memory / 1048576).toFixed(1)} MB, ` +
            `${fixed.redisBytesPerReq} bytes per delivery (${(fixed.redisBytesPerReq / request.bytes).toFixed(2)}x the ${request.bytes}-byte body)`,
        );
      }
    }
    console.log(loadAvg('end'));
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

  // The middle value; of an even count, the mean of the two middle ones.
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  const ratio = median(results.rounds.map((r) => r.ratio));
  results.ratio = ratio;
  const cpuRatio = median(
    results.rounds.map((r) => r.bare.serverCpuMicrosPerReq / (r.ingest.serverCpuMicrosPerReq + r.ingest.redisCpuMicrosPerReq)),
  );
  results.cpuRatio = Number(cpuRatio.toFixed(3));
  const cpuPerDelivery = Math.round(median(results.rounds.map((r) => r.ingest.serverCpuMicrosPerReq + r.ingest.redisCpuMicrosPerReq)));
  const redisPerDelivery = Math.round(median(results.rounds.map((r) => r.ingest.redisCpuMicrosPerReq)));
  const serverPerDelivery = cpuPerDelivery - redisPerDelivery;
  const { bare, ingest } = results.runs;
  results.targets = {
    cpuPerDelivery: { target: '<= 450 µs (server + Redis)', measured: cpuPerDelivery, ok: cpuPerDelivery <= 450 },
    p99AtRate: { target: `<= 20 ms at ${opts.rate} req/s`, measured: ingest.fixed.latencyMs.p99, ok: ingest.fixed.latencyMs.p99 <= 20 && ingest.fixed.non2xx === 0 },
    bytesPerDelivery: { target: `<= ${request.bytes} (the body)`, measured: ingest.fixed.redisBytesPerReq, ok: ingest.fixed.redisBytesPerReq <= request.bytes },
  };
  console.log('');
  console.log(`ingest / bare throughput, median of ${opts.rounds} rounds: ${ratio.toFixed(2)}x`);
  console.log(
    `CPU per delivery, median: ingest ${serverPerDelivery} + Redis ${redisPerDelivery} = ${cpuPerDelivery} µs (target <= 450) ${results.targets.cpuPerDelivery.ok ? 'OK' : 'MISSED'}; ` +
      `bare / (ingest + its Redis): ${cpuRatio.toFixed(2)}x`,
  );
  // What N free cores would give: ingest processes scale with cores, Redis (one thread) does not.
  const predicted = (cores) => Math.round(Math.min((cores * 1e6) / cpuPerDelivery, 1e6 / redisPerDelivery));
  console.log(`predicted from CPU per delivery: ${predicted(1)} req/s on 1 free core, ${predicted(2)} on 2 (Redis alone caps at ${Math.round(1e6 / redisPerDelivery)})`);
  if (opts.processes > 1) {
    results.scaleOut = median(results.rounds.map((r) => r.scaleOut));
    console.log(`ingest as ${opts.processes} processes / 1 process, median: ${results.scaleOut.toFixed(2)}x (on ${os.cpus().length} cores shared with the load generator and Redis)`);
  }
  console.log(
    `p99 at ${opts.rate} req/s: ingest ${ingest.fixed.latencyMs.p99} ms (target <= 20 ms) ${results.targets.p99AtRate.ok ? 'OK' : 'MISSED'}; ` +
      `the bare handler, same load: ${bare.fixed.latencyMs.p99} ms`,
  );
  console.log(
    `Redis memory per delivery: ${ingest.fixed.redisBytesPerReq} bytes, ${(ingest.fixed.redisBytesPerReq / request.bytes).toFixed(2)}x the body (target <= 1x) ${results.targets.bytesPerDelivery.ok ? 'OK' : 'MISSED'}`,
  );
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
