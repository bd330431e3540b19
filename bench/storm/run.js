#!/usr/bin/env node
'use strict';
// Alert storm benchmark: a real Alertmanager receives, at once, `--groups` alert groups of 10
// alerts (10% critical, 30% warning, 60% info; group_wait 1 s) and notifies
//   W   through its webhook to a receiver that answers at once: what Alertmanager alone needs
//       to hand the storm over, the floor under every other run (not run unless named);
//   A   through its own email_configs, straight to the relay;
//   B2  through its webhook to alertgw (ingest + 2 email notifiers, compiled processes);
//   B4  the same with 4 email notifiers;
//   S   through its webhook to alertgw's SMS channel (ingest + 2 SMS notifiers) and the Tencent
//       look-alike (+50 ms per call), with the storm budget as configured (5 SMS per phone per 10 min);
//   S0  the same with the budget out of the way (one phone would get every critical SMS).
// Every email run uses one relay look-alike, unchanged (relay.js): at most 10 concurrent
// connections from one client, 421 beyond that, 20 ms per message.
//
//   npm run build && node bench/storm/run.js [--runs A,B2,B4,S,S0] [--groups 1000] [--json out.json]
//     [--email-concurrency 8] [--pool 5] [--total 10] [--timeout 120] [--warm 1000]
//
// --warm N: before an email run's measured storm, alertgw's processes (started just before, as
// after a deploy) first mail a storm of N other groups through an Alertmanager of their own, as a
// gateway that has been up for a while has; without it they meet the storm with a cold JIT.
//
// Redis: a private redis-server on a free port. Prints, per run, the time from posting the alerts
// to the last critical group's mail and to the last mail, mails/s, CPU seconds of Alertmanager and
// of alertgw's processes and Redis (/proc/<pid>/stat; Redis INFO used_cpu_*), the 421s the relay
// sent, and the physical limit: group_wait + messages × 20 ms ÷ 10 connections. Targets (issue 16):
// every critical group within the limit + 0.5 s, the last mail within 1.3 × the limit, no 421.

const { fork, spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { stringify } = require('yaml');
const { startCpuTimeline, cpuSeconds } = require('./cpu-timeline');

// STORM_ROOT: run another checkout's compiled services (e.g. the base of an A/B) with this bench.
const ROOT = process.env.STORM_ROOT ?? path.join(__dirname, '..', '..');
const SHARED = path.join(ROOT, 'packages', 'shared', 'dist', 'index.js');
const MAIN = {
  ingest: path.join(ROOT, 'packages', 'ingest', 'dist', 'main.js'),
  email: path.join(ROOT, 'packages', 'notifier-email', 'dist', 'main.js'),
  sms: path.join(ROOT, 'packages', 'notifier-sms', 'dist', 'main.js'),
};
const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const GROUP_WAIT_S = 1;
// STORM_RELAY_TRACE=1: the relay also records when each command arrived and each reply went (see relayTrace).
const RELAY = { maxPerClient: 10, delayMs: 20, trace: process.env.STORM_RELAY_TRACE === '1' };
const SMS_DELAY_MS = 50;
const TOKEN = `storm-${randomBytes(12).toString('hex')}`;
const PHONES = ['+8613800000001', '+8613800000002'];

function parseArgs(argv) {
  const opts = { runs: ['A', 'B2', 'B4', 'S', 'S0'], groups: 1000, json: null, emailConcurrency: 8, pool: 5, total: 10, timeout: 120, warm: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--runs') opts.runs = v().split(',');
    else if (a === '--groups') opts.groups = Number(v());
    else if (a === '--json') opts.json = v();
    else if (a === '--email-concurrency') opts.emailConcurrency = Number(v());
    else if (a === '--pool') opts.pool = Number(v());
    else if (a === '--total') opts.total = Number(v());
    else if (a === '--timeout') opts.timeout = Number(v());
    else if (a === '--warm') opts.warm = Number(v());
    else if (a === '--help' || a === '-h') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 25).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** The storm: `groups` groups of 10 alerts, severities 10/30/60 %, in a fixed shuffled order. */
function stormAlerts(groups, name = 'Storm') {
  const kinds = [];
  for (let g = 0; g < groups; g++) {
    const pct = (g * 100) / groups;
    kinds.push(pct < 10 ? ['Crit', 'critical'] : pct < 40 ? ['Warn', 'warning'] : ['Info', 'info']);
  }
  // Fixed-seed shuffle: the critical groups are spread through the post, the same in every run.
  let seed = 16;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  // No startsAt: Alertmanager stamps each alert when it arrives. An older startsAt would make it
  // flush a new group at once instead of after group_wait.
  return kinds.flatMap(([tag, severity], g) =>
    Array.from({ length: 10 }, (_, k) => ({
      labels: { alertname: `${name}${tag}${String(g).padStart(4, '0')}`, severity, instance: `host-${k}.example`, team: 'storm' },
      annotations: { summary: `storm alert ${k} of group ${g}`, description: 'bench/storm' },
    })),
  );
}

function forkHelper(file, spec) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, file), [JSON.stringify(spec)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('message', (hello) => {
      const ask = (what) =>
        new Promise((res) => {
          child.once('message', res);
          child.send(what);
        });
      resolve({ hello, child, ask, reset: () => child.send('reset'), stop: () => child.kill() });
    });
  });
}

function startProcess(name, command, args, env, logDir) {
  const log = fs.openSync(path.join(logDir, `${name}.log`), 'w');
  const child = spawn(command, args, { env, stdio: ['ignore', log, log] });
  return { name, child, pid: child.pid };
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ready = (url) => waitFor(async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok, 20_000, url);

/** Alertmanager's config: every group to one receiver, email (run A) or the gateway's webhook. */
function alertmanagerYaml(receiver) {
  return stringify({
    route: { receiver: 'storm', group_by: ['alertname'], group_wait: `${GROUP_WAIT_S}s`, group_interval: '10m', repeat_interval: '4h' },
    receivers: [{ name: 'storm', ...receiver }],
  });
}

async function startAlertmanager(dir, receiver, freePort) {
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), alertmanagerYaml(receiver));
  const port = await freePort();
  const am = startProcess(
    'alertmanager',
    ALERTMANAGER_BIN,
    [`--config.file=${path.join(dir, 'alertmanager.yml')}`, `--storage.path=${path.join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    process.env,
    dir,
  );
  await ready(`http://127.0.0.1:${port}/-/ready`);
  return { ...am, url: `http://127.0.0.1:${port}` };
}

/** alertgw's config for one run: one on-call group, email or SMS, the relay or the look-alike. */
function gatewayYaml({ prefix, ingestPort, relayPort, sms, channel, opts, budget }) {
  return stringify({
    redis: { keyPrefix: prefix },
    log: { level: 'warn' },
    users: PHONES.slice(0, channel === 'sms' ? 2 : 1).map((phone, i) => ({ name: `oncall-${i}`, email: `oncall-${i}@example.com`, phone, groups: ['oncall'] })),
    mandatory: ['group:oncall'],
    channels: { email: { enabled: channel === 'email' }, sms: { enabled: channel === 'sms' } },
    ingest: { listen: { host: '127.0.0.1', port: ingestPort }, auth: { bearerTokens: ['${STORM_INGEST_TOKEN}'] } },
    email: {
      from: 'Alert Gateway <alerts@example.com>',
      transport: 'smtp',
      smtp: {
        host: '127.0.0.1',
        port: relayPort,
        requireTLS: false,
        pool: { maxConnections: opts.pool },
        ...(opts.total > 0 && process.env.STORM_NO_TOTAL !== '1' ? { maxConnectionsTotal: opts.total } : {}),
      },
      concurrency: opts.emailConcurrency,
      listen: { host: '127.0.0.1', port: '${STORM_OPS_PORT}' },
    },
    sms: {
      tencent: { ...sms.tencent, secretId: '${STORM_TENCENT_ID}', secretKey: '${STORM_TENCENT_KEY}' },
      templates: sms.templates,
      budget,
      listen: { host: '127.0.0.1', port: '${STORM_OPS_PORT}' },
    },
  });
}

const SEVERITY = /Storm(Crit|Warn|Info)\d+/;

function mailFigures(mails, t0) {
  const last = (list) => (list.length ? (Math.max(...list.map((m) => m.at)) - t0) / 1000 : NaN);
  const crit = mails.filter((m) => SEVERITY.exec(m.subject)?.[1] === 'Crit');
  const first = mails.length ? (Math.min(...mails.map((m) => m.at)) - t0) / 1000 : NaN;
  const groups = new Set(mails.map((m) => SEVERITY.exec(m.subject)?.[0]));
  return { mails: mails.length, groups: groups.size, critical: crit.length, firstMailS: first, lastCriticalS: last(crit), lastMailS: last(mails) };
}

/**
 * When ingest accepted the webhooks (task creation, Redis clock): Alertmanager's and ingest's
 * part of the wait; and, per critical group, how long from its acceptance to its mail: the part
 * the notifiers decide.
 */
async function acceptedTimes(queue, t0, mails) {
  const listed = [];
  // list() gives at most 1,000 a page, oldest first; a warm-up's tasks come before the storm's.
  for (let page; (page = await queue.list('completed', { offset: listed.length, limit: 1000 })).length > 0; ) listed.push(...page);
  const tasks = listed.filter((t) => t.createdAt >= t0);
  const last = (list) => (list.length ? (Math.max(...list.map((t) => t.createdAt)) - t0) / 1000 : NaN);
  const mailedAt = new Map(mails.map((m) => [SEVERITY.exec(m.subject)?.[0], m.at]));
  const critical = tasks.filter((t) => t.severityRank === 0);
  const waits = critical.map((t) => (mailedAt.get(t.payload.groupLabels.alertname) ?? NaN) - t.createdAt).filter(Number.isFinite).sort((a, b) => a - b);
  return {
    firstAcceptedS: tasks.length ? (Math.min(...tasks.map((t) => t.createdAt)) - t0) / 1000 : NaN,
    lastCriticalAcceptedS: last(critical),
    lastAcceptedS: last(tasks),
    criticalAcceptToMailMs: waits.length ? { p50: waits[Math.floor(waits.length / 2)], max: waits[waits.length - 1] } : null,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const f of [SHARED, ...Object.values(MAIN)]) if (!fs.existsSync(f)) throw new Error(`${path.relative(ROOT, f)} missing: run \`npm run build\` first`);
  if (!fs.existsSync(ALERTMANAGER_BIN)) throw new Error(`Alertmanager not found at ${ALERTMANAGER_BIN} (apt-get install prometheus-alertmanager, or set ALERTMANAGER_BIN)`);
  const shared = require(SHARED);
  const Redis = require('ioredis');
  const redisServer = await shared.startPrivateRedis();
  const redis = new Redis(redisServer.url);
  const redisCpu = async () => {
    const info = await redis.info('cpu');
    const num = (k) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)[1]);
    return num('used_cpu_user') + num('used_cpu_sys');
  };
  // Calls per Redis command since the last CONFIG RESETSTAT (every script runs as EVALSHA).
  const redisCalls = async () => {
    const info = await redis.info('commandstats');
    return Object.fromEntries([...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  };
  const relay = await forkHelper('relay.js', RELAY);
  const tencent = await forkHelper('tencent.js', { delayMs: SMS_DELAY_MS });
  const receiver = await forkHelper('receiver.js', {});
  const alerts = stormAlerts(opts.groups);
  const critGroups = Math.round(opts.groups / 10);
  const limit = { critical: GROUP_WAIT_S + (critGroups * RELAY.delayMs) / 1000 / RELAY.maxPerClient, all: GROUP_WAIT_S + (opts.groups * RELAY.delayMs) / 1000 / RELAY.maxPerClient };
  const results = { opts, limit, runs: {} };
  console.log(`storm: ${opts.groups} groups × 10 alerts (${critGroups} critical), group_wait ${GROUP_WAIT_S}s; relay: ${RELAY.maxPerClient} connections per client, ${RELAY.delayMs} ms per mail`);
  console.log(`physical limit: last critical mail ${limit.critical.toFixed(2)} s, last mail ${limit.all.toFixed(2)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (opts.warm > 0) console.log(`email runs: alertgw warmed by a first storm of ${opts.warm} other groups (--warm)`);

  try {
    for (const run of opts.runs) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `storm-${run}-`));
      const prefix = `storm-${run.toLowerCase()}-${randomBytes(3).toString('hex')}`;
      relay.reset();
      tencent.reset();
      receiver.reset();
      const procs = [];
      let am;
      let timeline;
      try {
        const replicas = Number(run.slice(1)) || 2;
        const channel = run === 'A' || run === 'W' ? null : run.startsWith('S') ? 'sms' : 'email';
        if (run === 'W') {
          am = await startAlertmanager(dir, { webhook_configs: [{ url: `http://127.0.0.1:${receiver.hello.port}/`, send_resolved: false }] }, shared.freePort);
        } else if (channel) {
          const ingestPort = await shared.freePort();
          const budget = run === 'S0' ? { maxPerWindow: 100_000, windowMs: 600_000 } : { maxPerWindow: 5, windowMs: 600_000 };
          fs.writeFileSync(path.join(dir, 'config.yaml'), gatewayYaml({ prefix, ingestPort, relayPort: relay.hello.port, sms: tencent.hello.sms, channel, opts, budget }));
          const env = {
            ...process.env,
            CONFIG: path.join(dir, 'config.yaml'),
            REDIS_URL: redisServer.url,
            STORM_INGEST_TOKEN: TOKEN,
            STORM_TENCENT_ID: tencent.hello.secretId,
            STORM_TENCENT_KEY: tencent.hello.secretKey,
          };
          const prof = process.env.STORM_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.STORM_CPU_PROF}`] : [];
          procs.push(startProcess('ingest', process.execPath, [...prof, MAIN.ingest], { ...env, STORM_OPS_PORT: '0' }, dir));
          const readiness = [`http://127.0.0.1:${ingestPort}/readyz`];
          for (let i = 0; i < replicas; i++) {
            const opsPort = await shared.freePort();
            procs.push(startProcess(`${channel}-${i}`, process.execPath, [...prof, MAIN[channel]], { ...env, STORM_OPS_PORT: String(opsPort) }, dir));
            readiness.push(`http://127.0.0.1:${opsPort}/readyz`);
          }
          await Promise.all(readiness.map(ready)).catch((err) => {
            throw new Error(`${err.message}: see the logs in ${dir} (STORM_KEEP_LOGS=1 keeps them)`);
          });
          const webhook = { webhook_configs: [{ url: `http://127.0.0.1:${ingestPort}/webhook/alertmanager`, send_resolved: false, http_config: { authorization: { type: 'Bearer', credentials: TOKEN } } }] };
          if (opts.warm > 0 && channel === 'email') await warmUp(dir, webhook, opts, relay, shared.freePort);
          am = await startAlertmanager(dir, webhook, shared.freePort);
        } else {
          am = await startAlertmanager(
            dir,
            { email_configs: [{ to: 'oncall-0@example.com', from: 'alertmanager@example.com', smarthost: `127.0.0.1:${relay.hello.port}`, require_tls: false, send_resolved: false }] },
            shared.freePort,
          );
        }
        const all = [am, ...procs];
        const cpuBefore = all.map((p) => cpuSeconds(p.pid));
        const redisBefore = await redisCpu();
        await redis.config('RESETSTAT');
        const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))[1]);
        timeline = startCpuTimeline({ ...Object.fromEntries(all.map((p) => [p.name, p.pid])), redis: redisPid, relay: relay.child.pid, bench: process.pid });
        const t0 = Date.now();
        const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
        if (res.status !== 200) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
        const postedS = (Date.now() - t0) / 1000;

        let figures;
        if (channel === 'sms') {
          const queue = new shared.TaskQueue({ redis, prefix, name: 'sms' });
          // Settled: every critical group's SMS task is finished (or merged), nothing pending or running.
          await waitFor(
            async () => {
              const c = await queue.counts();
              return c.completed + c.dead >= critGroups && c.pending === 0 && c.active === 0;
            },
            opts.timeout * 1000,
            'the SMS tasks to settle',
          );
          const { deliveries, calls } = await tencent.ask('stats');
          const perPhone = Object.fromEntries(PHONES.map((p) => [p, deliveries.filter((d) => d.phone === p).length]));
          const counts = await queue.counts();
          const merged = {};
          for (const task of await queue.list('completed', { limit: 10_000 })) {
            for (const [phone, r] of Object.entries(task.results ?? {})) if (r.status === 'merged') merged[phone] = (merged[phone] ?? 0) + 1;
          }
          const lastS = deliveries.length ? (Math.max(...deliveries.map((d) => d.at)) - t0) / 1000 : NaN;
          figures = { tasks: counts, smsSent: deliveries.length, sendSmsCalls: calls, perPhone, mergedPerPhone: merged, lastSmsS: lastS, delayed: counts.delayed };
        } else if (run === 'W') {
          await waitFor(async () => (await receiver.ask('stats')).deliveries.length >= opts.groups, opts.timeout * 1000, `${opts.groups} webhooks`);
          const { deliveries } = await receiver.ask('stats');
          // The same figures as a run's mails, read off the webhooks as they arrived.
          figures = { ...mailFigures(deliveries, t0), refused421: 0, maxConcurrent: NaN, relayReadsPerMail: NaN };
          figures.mailsPerS = figures.mails / Math.max(0.001, figures.lastMailS - figures.firstMailS);
        } else {
          await waitFor(async () => (await relay.ask('stats')).mails.length >= opts.groups, opts.timeout * 1000, `${opts.groups} mails`).catch((e) => console.log(`  ${e.message}`));
          const stats = await relay.ask('stats');
          // Read before acceptedTimes lists the tasks: these are alertgw's commands alone.
          const calls = await redisCalls();
          figures = { ...mailFigures(stats.mails, t0), refused421: stats.refused421, maxConcurrent: stats.maxConcurrent, relayReadsPerMail: +(stats.reads / Math.max(1, stats.mails.length)).toFixed(2) };
          figures.mailsPerS = figures.mails / Math.max(0.001, figures.lastMailS - figures.firstMailS);
          if (channel) figures.redisCallsPerMail = Object.fromEntries(Object.entries(calls).map(([c, n]) => [c, Number((n / Math.max(1, figures.mails)).toFixed(1))]));
          if (stats.traces) figures.relayTrace = relayTrace(stats.traces);
          if (channel) Object.assign(figures, await acceptedTimes(new shared.TaskQueue({ redis, prefix, name: 'email' }), t0, stats.mails));
        }
        timeline.stop();
        // Who had the cores while the critical groups were handed over: from the first webhook
        // (its acceptance; W: its arrival) to the last critical mail (W: webhook).
        const firstS = figures.firstAcceptedS ?? figures.firstMailS;
        if (Number.isFinite(firstS) && Number.isFinite(figures.lastCriticalS)) figures.criticalWindowCpu = timeline.window(t0 + firstS * 1000, t0 + figures.lastCriticalS * 1000);
        const cpuAfter = all.map((p) => cpuSeconds(p.pid));
        const cpu = Object.fromEntries(all.map((p, i) => [p.name, Number((cpuAfter[i] - cpuBefore[i]).toFixed(2))]));
        const redisCpuS = Number(((await redisCpu()) - redisBefore).toFixed(2));
        const gatewayCpu = channel ? Number((Object.entries(cpu).filter(([n]) => n !== 'alertmanager').reduce((s, [, v]) => s + v, 0) + redisCpuS).toFixed(2)) : 0;
        const load = os.loadavg().map((l) => Number(l.toFixed(2)));
        const notifierCpu = Object.entries(cpu).filter(([n]) => n.startsWith(`${channel}-`)).reduce((sum, [, v]) => sum + v, 0);
        if (channel === 'email') figures.notifierCpuPerMailMs = Number(((notifierCpu * 1000) / Math.max(1, figures.mails)).toFixed(2));
        results.runs[run] = { ...figures, postedS, cpu, redisCpuS, gatewayCpu, load };
        print(run, results.runs[run], limit);
      } finally {
        timeline?.stop();
        if (am) am.child.kill('SIGTERM');
        for (const p of procs) p.child.kill('SIGTERM');
        await Promise.all([am, ...procs].filter(Boolean).map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : null)));
        await redis.flushall();
        if (!process.env.STORM_KEEP_LOGS) fs.rmSync(dir, { recursive: true, force: true });
        else console.log(`  logs: ${dir}`);
      }
    }
  } finally {
    relay.stop();
    tencent.stop();
    receiver.stop();
    redis.disconnect();
    await redisServer.stop();
  }
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);
}

/**
 * A first storm of other groups (`Warm…`) through an Alertmanager of its own, mailed in full;
 * then that Alertmanager goes and the relay forgets it, so the measured storm starts alone.
 */
async function warmUp(dir, receiver, opts, relay, freePort) {
  const warmDir = fs.mkdtempSync(path.join(dir, 'warm-'));
  const am = await startAlertmanager(warmDir, receiver, freePort);
  try {
    const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(stormAlerts(opts.warm, 'Warm')) });
    if (res.status !== 200) throw new Error(`Alertmanager refused the warm-up alerts: ${res.status}`);
    await waitFor(async () => (await relay.ask('stats')).mails.length >= opts.warm, opts.timeout * 1000, `${opts.warm} warm-up mails`);
  } finally {
    am.child.kill('SIGTERM');
    if (am.child.exitCode === null) await new Promise((r) => am.child.once('exit', r));
  }
  relay.reset();
}

/**
 * Where the relay's connections spent the storm (STORM_RELAY_TRACE=1), per mail on a connection:
 * `head` MAIL read → 354 sent (the relay reading MAIL, RCPT and DATA), `toDot` 354 sent → the
 * message and its dot read (the client's first turn: a round trip plus its own delay), `relay`
 * dot read → 250 sent (the relay's 20 ms), `toNext` 250 sent → the next MAIL read on that
 * connection (the client's second turn: a round trip, or no mail ready). ms: median, p90, mean,
 * and the sum over the connections of each part.
 */
function relayTrace(traces) {
  const parts = { head: [], toDot: [], relay: [], toNext: [] };
  for (const events of traces) {
    const at = (i, kind) => (events[i]?.[0] === kind ? events[i][1] : NaN);
    for (let i = 0; i < events.length; i++) {
      if (events[i][0] !== 'mail') continue;
      const [mail, data, end, ok] = [at(i, 'mail'), at(i + 1, 'data'), at(i + 2, 'end'), at(i + 3, 'ok')];
      if (![data, end, ok].every(Number.isFinite)) continue;
      parts.head.push(data - mail);
      parts.toDot.push(end - data);
      parts.relay.push(ok - end);
      const next = at(i + 4, 'mail');
      if (Number.isFinite(next)) parts.toNext.push(next - ok);
    }
  }
  const stat = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    const q = (p) => Number((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN).toFixed(2));
    const sum = list.reduce((s, x) => s + x, 0);
    return { n: list.length, p50: q(0.5), p90: q(0.9), mean: Number((sum / Math.max(1, list.length)).toFixed(2)), sumS: Number((sum / 1000).toFixed(2)) };
  };
  const out = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, stat(v)]));
  out.toNextOver10ms = parts.toNext.filter((x) => x > 10).length;
  return out;
}

function print(run, r, limit) {
  const s = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '—');
  const cpu = Object.entries(r.cpu)
    .map(([n, v]) => `${n} ${v}`)
    .join(', ');
  if (run === 'W') {
    console.log(`${run.padEnd(3)} ${r.mails} webhooks to a receiver answering at once; last critical ${s(r.lastCriticalS)}, last ${s(r.lastMailS)}, first ${s(r.firstMailS)}, ${r.mailsPerS.toFixed(0)} webhooks/s: Alertmanager alone`);
  } else if (r.smsSent !== undefined) {
    console.log(`${run.padEnd(3)} SMS sent ${r.smsSent} in ${r.sendSmsCalls} calls, per phone ${JSON.stringify(r.perPhone)}, merged ${JSON.stringify(r.mergedPerPhone)}; last SMS ${s(r.lastSmsS)}; tasks ${JSON.stringify(r.tasks)}`);
  } else {
    const ok = (v, max) => (v <= max ? 'OK' : 'MISSED');
    console.log(
      `${run.padEnd(3)} ${r.mails} mails (${r.groups} groups); last critical ${s(r.lastCriticalS)} (limit ${limit.critical.toFixed(2)} + 0.5: ${ok(r.lastCriticalS, limit.critical + 0.5)}), ` +
        `last mail ${s(r.lastMailS)} (1.3 × ${limit.all.toFixed(2)}: ${ok(r.lastMailS, 1.3 * limit.all)}), ${r.mailsPerS.toFixed(0)} mails/s, ` +
        `421s ${r.refused421}, most concurrent ${r.maxConcurrent}, relay reads per mail ${r.relayReadsPerMail}`,
    );
    const accepted = r.lastAcceptedS === undefined ? '' : `; ingest accepted the first webhook at ${s(r.firstAcceptedS)}, the last critical at ${s(r.lastCriticalAcceptedS)}, the last at ${s(r.lastAcceptedS)}`;
    const own = r.criticalAcceptToMailMs ? `; critical group accepted → mailed: median ${r.criticalAcceptToMailMs.p50} ms, max ${r.criticalAcceptToMailMs.max} ms` : '';
    console.log(`    first mail ${s(r.firstMailS)}${accepted}${own}`);
    if (r.notifierCpuPerMailMs !== undefined) {
      // commandstats counts the commands a script runs as well as the EVALSHA that ran it.
      const top = Object.entries(r.redisCallsPerMail).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([c, n]) => `${c} ${n}`).join(', ');
      const all = Object.values(r.redisCallsPerMail).reduce((sum, n) => sum + n, 0).toFixed(0);
      console.log(`    notifier CPU per mail ${r.notifierCpuPerMailMs} ms; Redis per mail (ingest + notifiers): ${r.redisCallsPerMail.evalsha ?? 0} script calls, ${all} commands in all (${top})`);
    }
  }
  if (r.criticalWindowCpu) {
    const w = r.criticalWindowCpu;
    const who = Object.entries(w.perProcess).map(([n, v]) => `${n} ${v}`).join(', ');
    console.log(`    first webhook → last critical (${w.seconds} s): the machine busy ${w.cores} of ${w.ofCores} cores (${w.machine} CPU s: ${who})`);
  }
  if (r.relayTrace) {
    const t = r.relayTrace;
    const f = (k) => `${k} ${t[k].p50}/${t[k].p90}/${t[k].mean} ms (Σ ${t[k].sumS} s)`;
    console.log(`    relay per mail (median/p90/mean): ${['head', 'toDot', 'relay', 'toNext'].map(f).join(', ')}; 250 → next MAIL over 10 ms: ${t.toNextOver10ms} of ${t.toNext.n}`);
  }
  console.log(`    CPU s: ${cpu}, redis ${r.redisCpuS}${r.gatewayCpu ? `; alertgw total ${r.gatewayCpu}` : ''}; alerts posted in ${r.postedS.toFixed(2)} s; load ${r.load.join(' ')}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
