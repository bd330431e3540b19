'use strict';
// One measurement in a fresh process (so neither queue inherits the other's heap, JIT or
// sockets): `node scenario.js <json spec>`; the result goes back to run.js over IPC.
//
// spec: { system: 'ours'|'bullmq', kind: 'drain'|'latency', redisUrl, prefix, name,
//         n, concurrency, rate, seconds, warmupSeconds }

const { performance } = require('node:perf_hooks');
const os = require('node:os');
const path = require('node:path');
const Redis = require('ioredis');
const { makePayload } = require('./payload');

// QUEUE_BENCH_DIST points at another build of @alertgw/shared, to compare two versions.
const DIST = process.env.QUEUE_BENCH_DIST || path.join(__dirname, '..', '..', 'packages', 'shared', 'dist', 'index.js');
const BATCH = 500;
/** Latency above which a sample counts as slow (the 5k/s target). */
const SLOW_MS = 5;
/** Retention of completed tasks, the same for both: one day (the gateway's default). */
const RETENTION_MS = 86_400_000;

function connectionOptions(url) {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname && u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    // BullMQ workers require this; harmless for ours.
    maxRetriesPerRequest: null,
  };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => (t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))),
  ]).finally(() => clearTimeout(t));
}

// ---------------------------------------------------------------- ours

function oursHandler(onSend) {
  return {
    async send(task, pending) {
      onSend(task);
      const at = new Date().toISOString();
      const results = {};
      for (const a of pending) results[a] = { status: 'delivered', at };
      return { results };
    },
    classify: () => ({ retryable: true, code: 'BENCH' }),
  };
}

async function oursSetup(spec) {
  const { TaskQueue, Worker } = require(DIST);
  const conn = connectionOptions(spec.redisUrl);
  const producerRedis = new Redis(conn);
  const workerRedis = new Redis(conn);
  await Promise.all([producerRedis.ping(), workerRedis.ping()]);
  const opts = { prefix: spec.prefix, name: spec.name, retention: { completedMs: RETENTION_MS, deadMs: 7 * RETENTION_MS } };
  // Separate connections for producer and worker, as with ingest and a notifier.
  const producer = new TaskQueue({ ...opts, redis: producerRedis });
  const workerQueue = new TaskQueue({ ...opts, redis: workerRedis });
  return {
    producer,
    async prefill(n) {
      for (let i = 0; i < n; i += BATCH) {
        const p = producerRedis.pipeline();
        for (let j = i; j < Math.min(n, i + BATCH); j++) producer.addEnqueueToPipeline(p, { payload: makePayload(j), severityRank: 1 });
        const replies = await p.exec();
        for (const [err] of replies) if (err) throw err;
      }
    },
    enqueueOne(payload) {
      return producer.enqueue({ payload, severityRank: 1 });
    },
    async startWorker(concurrency, onSend, onDone) {
      const worker = new Worker({
        queue: workerQueue,
        handler: oursHandler((task) => onSend(task.payload)),
        concurrency,
        onSettled: async (_task, s) => {
          if (s.status === 'completed') onDone();
        },
      });
      return { run: () => worker.start(), stop: () => worker.close(5000) };
    },
    async counts() {
      const c = await producer.counts();
      return { completed: c.completed, waiting: c.pending + c.delayed + c.active, failed: c.dead };
    },
    async close() {
      producerRedis.disconnect();
      workerRedis.disconnect();
    },
  };
}

// ---------------------------------------------------------------- BullMQ

async function bullSetup(spec) {
  const { Queue, Worker } = require('bullmq');
  const connection = connectionOptions(spec.redisUrl);
  const jobOpts = {
    // Retries on, like ours (10 attempts, exponential backoff); keep completed jobs one day.
    attempts: 10,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: RETENTION_MS / 1000 },
    removeOnFail: { age: (7 * RETENTION_MS) / 1000 },
  };
  const queue = new Queue(spec.name, { connection, prefix: spec.bullPrefix, defaultJobOptions: jobOpts });
  await queue.waitUntilReady();
  return {
    async prefill(n) {
      for (let i = 0; i < n; i += BATCH) {
        const jobs = [];
        for (let j = i; j < Math.min(n, i + BATCH); j++) jobs.push({ name: 'notify', data: makePayload(j), opts: jobOpts });
        await queue.addBulk(jobs);
      }
    },
    enqueueOne(payload) {
      return queue.add('notify', payload, jobOpts);
    },
    async startWorker(concurrency, onSend, onDone) {
      const worker = new Worker(
        spec.name,
        async (job) => {
          onSend(job.data);
        },
        {
          connection,
          prefix: spec.bullPrefix,
          concurrency,
          autorun: false,
          removeOnComplete: { age: RETENTION_MS / 1000 },
          // Defaults spelled out: 30 s lock renewed every 15 s, stalled check every 30 s.
          lockDuration: 30_000,
          stalledInterval: 30_000,
        },
      );
      worker.on('completed', () => onDone());
      worker.on('error', (err) => console.error('bullmq worker error', err));
      // Connect first, so both sides are timed from a connected, idle worker.
      await worker.waitUntilReady();
      return {
        run: () => worker.run().catch((err) => console.error('bullmq run failed', err)),
        stop: () => worker.close(),
      };
    },
    async counts() {
      const c = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'prioritized', 'failed');
      return { completed: c.completed, waiting: c.waiting + c.active + c.delayed + c.prioritized, failed: c.failed };
    },
    async close() {
      await queue.close();
    },
  };
}

// ---------------------------------------------------------------- scenarios

async function drain(sys, spec, meter) {
  await sys.prefill(spec.n);
  const all = deferred();
  let done = 0;
  let t0 = 0;
  let t1 = 0;
  let firstSend = 0;
  const worker = await sys.startWorker(
    spec.concurrency,
    () => {
      if (!firstSend) firstSend = performance.now();
    },
    () => {
      if (++done === spec.n) {
        t1 = performance.now();
        all.resolve();
      }
    },
  );
  await meter.start();
  t0 = performance.now();
  worker.run();
  await withTimeout(all.promise, 600_000, `drain of ${spec.n} tasks`);
  const cpu = await meter.stop();
  await worker.stop();
  const counts = await sys.counts();
  const seconds = (t1 - t0) / 1000;
  return {
    tasks: spec.n,
    seconds,
    rate: spec.n / seconds,
    rateFromFirstClaim: spec.n / ((t1 - firstSend) / 1000),
    startupMs: firstSend - t0,
    counts,
    cpu,
  };
}

async function latency(sys, spec, meter) {
  const samples = [];
  const sampleTimes = [];
  let processed = 0;
  let sent = 0;
  let enqueueErrors = 0;
  const warmupEnd = spec.warmupSeconds * 1000;
  let start = 0;
  const allDone = deferred();
  let producing = true;
  const worker = await sys.startWorker(
    spec.concurrency,
    (payload) => {
      const now = performance.now();
      if (payload.t - start >= warmupEnd) {
        samples.push(now - payload.t);
        sampleTimes.push(payload.t - start);
      }
    },
    () => {
      processed++;
      if (!producing && processed === sent) allDone.resolve();
    },
  );
  worker.run();
  // Let the worker reach its idle blocking wait, as a real idle notifier would be.
  await new Promise((r) => setTimeout(r, 500));

  const totalMs = (spec.warmupSeconds + spec.seconds) * 1000;
  await meter.start();
  start = performance.now();
  let measuredSent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((spec.rate * Math.min(elapsed, totalMs)) / 1000), Math.floor((spec.rate * totalMs) / 1000));
      while (sent < due) {
        const t = performance.now();
        if (t - start >= warmupEnd) measuredSent++;
        sent++;
        sys.enqueueOne(makePayload(sent, t)).catch(() => enqueueErrors++);
      }
      if (elapsed >= totalMs) return resolve();
      setTimeout(tick, 1);
    };
    tick();
  });
  const producedMs = performance.now() - start;
  producing = false;
  if (processed === sent) allDone.resolve();
  await withTimeout(allDone.promise, 120_000, `latency run: ${processed}/${sent} processed`);
  const drainedMs = performance.now() - start;
  const cpu = await meter.stop();
  await worker.stop();
  const counts = await sys.counts();
  // Where the slow ones were: a few 100 ms windows means stalls (GC, a descheduled process),
  // many means the queue cannot keep up.
  const slowWindows = new Set();
  samples.forEach((ms, i) => ms > SLOW_MS && slowWindows.add(Math.floor(sampleTimes[i] / 100)));
  samples.sort((a, b) => a - b);
  return {
    sent,
    enqueueErrors,
    achievedRate: measuredSent / ((producedMs - warmupEnd) / 1000),
    processedRate: sent / (drainedMs / 1000),
    tailMs: drainedMs - producedMs,
    samples: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1],
    slow: samples.filter((ms) => ms > SLOW_MS).length,
    slowWindows: slowWindows.size,
    windows: Math.ceil((spec.seconds * 1000) / 100),
    counts,
    cpu,
  };
}

/** A V8 CPU profile of the measured phase only (not the pre-fill), written into `dir`. */
function cpuProfiler(dir, spec) {
  const inspector = require('node:inspector');
  const fs = require('node:fs');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));
  return {
    async start() {
      await post('Profiler.enable');
      // 100 µs samples: the default 1 ms gives too few to rank per-task functions.
      await post('Profiler.setSamplingInterval', { interval: 100 });
      await post('Profiler.start');
    },
    async stop() {
      const { profile } = await post('Profiler.stop');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${spec.system}-${spec.kind}-${spec.concurrency}-${spec.rate ?? ''}-${process.pid}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** INFO commandstats as {command: [calls, usec]} (server-wide: use a private Redis to read it). */
async function commandStats(redis) {
  const out = {};
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_(\S+):calls=(\d+),usec=(\d+)/.exec(line);
    if (m) out[m[1]] = [Number(m[2]), Number(m[3])];
  }
  return out;
}

/** Commands run between two commandstats, by Redis time spent, most first. */
function diffStats(a, b) {
  return Object.entries(b)
    .map(([cmd, [calls, usec]]) => ({ cmd, calls: calls - (a[cmd]?.[0] ?? 0), usec: usec - (a[cmd]?.[1] ?? 0) }))
    .filter((r) => r.calls > 0 && r.cmd !== 'info')
    .sort((x, y) => y.usec - x.usec);
}

/** CPU seconds Redis has used so far (the whole server: other clients count too). */
async function redisCpu(redis) {
  const info = await redis.info('cpu');
  const get = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_user') + get('used_cpu_sys');
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const sys = spec.system === 'ours' ? await oursSetup(spec) : await bullSetup(spec);
  const probe = new Redis(connectionOptions(spec.redisUrl));
  try {
    // CPU of this process and of Redis from the worker's start to its last task (drain), or
    // over the whole producing + draining window (latency).
    let cpu0;
    let redis0;
    const profiler = process.env.QUEUE_BENCH_PROFILE ? cpuProfiler(process.env.QUEUE_BENCH_PROFILE, spec) : null;
    const wantStats = Boolean(process.env.QUEUE_BENCH_COMMANDSTATS);
    let stats0;
    const meter = {
      async start() {
        if (wantStats) stats0 = await commandStats(probe);
        redis0 = await redisCpu(probe);
        await profiler?.start();
        cpu0 = process.cpuUsage();
      },
      async stop() {
        const cpu = process.cpuUsage(cpu0);
        await profiler?.stop();
        const out = { node: (cpu.user + cpu.system) / 1e6, redis: (await redisCpu(probe)) - redis0 };
        if (wantStats) out.commandStats = diffStats(stats0, await commandStats(probe));
        return out;
      },
    };
    const load0 = os.loadavg()[0];
    const result = spec.kind === 'drain' ? await drain(sys, spec, meter) : await latency(sys, spec, meter);
    // The 1-minute load average around the run: on a shared 2-core machine it explains most spread.
    result.loadAvg = [load0, os.loadavg()[0]];
    const tasks = result.tasks ?? result.sent;
    // Per task, so the two systems' costs compare directly (Redis: server-wide, other clients included).
    result.nodeCpuUsPerTask = (result.cpu.node * 1e6) / tasks;
    result.redisCpuUsPerTask = (result.cpu.redis * 1e6) / tasks;
    return result;
  } finally {
    probe.disconnect();
    await sys.close();
  }
}

main().then(
  (result) => {
    if (process.send) process.send({ ok: true, result }, () => process.exit(0));
    else {
      console.log(JSON.stringify(result, null, 2));
      process.exit(0);
    }
  },
  (err) => {
    const message = err && err.stack ? err.stack : String(err);
    if (process.send) process.send({ ok: false, error: message }, () => process.exit(1));
    else {
      console.error(message);
      process.exit(1);
    }
  },
);
