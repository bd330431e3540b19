import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { QueueKeys, TaskQueue } from '@alertgw/shared';
import { startRedisProcess, uniquePrefix, waitFor, type RedisProcess } from '@alertgw/testkit';
import { startSmtpServer, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../packages/notifier-sms/test/support/fake-tencent';
import { SECRET_ID, SECRET_KEY, startFake } from '../../packages/notifier-sms/test/support/harness';
import { CHAOS_PEOPLE, CHAOS_SECRET_ENV, chaosConfigYaml } from './support/chaos-config';
import { explainDuplicates, type Crash } from './support/explain-duplicates';
import { startLatencyProxy, type LatencyProxy } from './support/latency-proxy';
import { chaosGroups, runLoad, type GroupDelivery, type LoadStats } from './support/load-generator';
import { leasesOfPid, reclaimDelays } from './support/orphaned-leases';
import { ReceiptLedger, type ReceiptChannel } from './support/receipt-ledger';
import { childEnv } from '../e2e/support/child-service';
import { ServiceFleet } from './support/service-fleet';

/** Alert groups pushed through (the issue asks for at least 5,000; CHAOS_GROUPS lowers it while developing). */
const GROUPS = Number(process.env.CHAOS_GROUPS ?? 5000);
/**
 * Webhooks started per second: the notifiers keep up (100/s did on the 2-core machine), and the
 * load lasts long enough for all strikes (each takes a few seconds) to land while it runs.
 */
const RATE = Number(process.env.CHAOS_RATE ?? 60);
/**
 * Redis' AOF fsync policy: `always` by default (a 2xx then survives even a power loss);
 * CHAOS_APPENDFSYNC=everysec (docker-compose's) runs the same scenario for comparison. A process
 * kill loses nothing in either mode: the OS page cache keeps what Redis wrote.
 */
const APPENDFSYNC = process.env.CHAOS_APPENDFSYNC === 'everysec' ? 'everysec' : 'always';
const LEASE_MS = 3000;
const CONCURRENCY = 8;
/** Each provider reply is this late (an SMTP mail takes ~7 replies): sends are in flight when a notifier dies. */
const PROVIDER_REPLY_MS = 20;
/** Every victim is killed this many times, in turn, spread evenly over the load. */
const ROUNDS = 3;
const VICTIMS = ['notifier-email-1', 'notifier-sms-1', 'ingest', 'redis', 'notifier-email-2', 'notifier-sms-2'] as const;
type Victim = (typeof VICTIMS)[number];
const CHANNEL_OF: Partial<Record<Victim, ReceiptChannel>> = {
  'notifier-email-1': 'email',
  'notifier-email-2': 'email',
  'notifier-sms-1': 'sms',
  'notifier-sms-2': 'sms',
};

/** The q-quantile of `xs` (0 when empty). */
function pct(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

describe('crashes under load: SIGKILL of every service and of Redis while 5,000 groups go through', () => {
  const token = `chaos-${randomBytes(12).toString('hex')}`;
  let dir: string;
  let redisProc: RedisProcess;
  let redis: Redis;
  let smtp: TestSmtpServer;
  let fake: FakeTencent;
  let smtpProxy: LatencyProxy | undefined;
  let tencentProxy: LatencyProxy | undefined;
  let fleet: ServiceFleet | undefined;
  const mailTimes: number[] = [];

  afterAll(async () => {
    // Safety net: the test stops the fleet itself and checks the exits.
    await fleet?.stopAll(5_000);
    redis?.disconnect();
    await redisProc?.stop();
    await Promise.all([smtp?.close(), fake?.close(), smtpProxy?.close(), tencentProxy?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every accepted group as mail and SMS; duplicates only from cut-off sends; orphans reclaimed within lease + 1 s', async () => {
    const started = Date.now();
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-chaos-'));
    redisProc = await startRedisProcess({ dir: path.join(dir, 'redis'), appendfsync: APPENDFSYNC });
    // The test's own connection rides out every Redis kill: commands wait for the reconnect.
    redis = new Redis(redisProc.url, { maxRetriesPerRequest: null });
    [smtp, fake] = await Promise.all([
      startSmtpServer({
        parse: false,
        onData: (n) => {
          mailTimes[n] = Date.now();
          return undefined;
        },
      }),
      startFake(),
    ]);
    const fakePort = Number(fake.endpoint.split(':')[1]);
    [smtpProxy, tencentProxy] = await Promise.all([startLatencyProxy(smtp.port, PROVIDER_REPLY_MS), startLatencyProxy(fakePort, PROVIDER_REPLY_MS)]);
    const prefix = uniquePrefix('chaos');
    const wiring = {
      redisUrl: redisProc.url,
      keyPrefix: prefix,
      smtpPort: smtpProxy.port,
      fake,
      tencentEndpoint: `127.0.0.1:${tencentProxy.port}`,
      leaseMs: LEASE_MS,
      concurrency: CONCURRENCY,
    };
    fleet = new ServiceFleet({
      dir,
      env: childEnv({ [CHAOS_SECRET_ENV.ingestToken]: token, [CHAOS_SECRET_ENV.tencentId]: SECRET_ID, [CHAOS_SECRET_ENV.tencentKey]: SECRET_KEY }),
      configYaml: (kind, port) => chaosConfigYaml(wiring, kind, port),
    });
    const f = fleet;
    const dump = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (err) {
        process.stderr.write(`\n===== ${what} failed; output of the processes =====\n${f.transcript()}\n===== end =====\n`);
        throw err;
      }
    };
    const ingest = await dump('startup', () => f.add('ingest', 'ingest'));
    await dump('startup', () =>
      Promise.all([
        f.add('notifier-email-1', 'notifier-email'),
        f.add('notifier-email-2', 'notifier-email'),
        f.add('notifier-sms-1', 'notifier-sms'),
        f.add('notifier-sms-2', 'notifier-sms'),
      ]),
    );
    const queueKeys: Record<ReceiptChannel, QueueKeys> = { email: new QueueKeys(prefix, 'email'), sms: new QueueKeys(prefix, 'sms') };
    const ledger = new ReceiptLedger(smtp.mails, mailTimes, fake.deliveries);

    // --- load and chaos, side by side --------------------------------------------------------
    const groups = chaosGroups(GROUPS, prefix);
    const deliveries: GroupDelivery[] = [];
    const loading = runLoad(
      { url: `http://127.0.0.1:${ingest.port}/webhook/alertmanager`, token, groups, ratePerSec: RATE, concurrency: 32, giveUpMs: 10 * 60_000 },
      deliveries,
    );
    let loadFailed: unknown;
    void loading.catch((err: unknown) => (loadFailed = err));

    const crashes: Crash[] = [];
    const kills: Record<string, number> = {};
    const reclaims: number[] = [];
    const afterDeadline: number[] = [];
    let strikesDuringLoad = 0;
    let orphans = 0;
    const redisDowntimes: number[] = [];
    const ingestDowntimes: number[] = [];
    const accepted = () => deliveries.filter((d) => d.acceptedAt !== undefined).length;

    /** The leases of both queues right now, as `channel:taskId`: what a Redis kill may cut off. */
    const activeTasks = async (): Promise<Set<string>> => {
      const set = new Set<string>();
      for (const channel of ['email', 'sms'] as const) for (const id of await redis.zrange(queueKeys[channel].leaseDeadlines, 0, -1)) set.add(`${channel}:${id}`);
      return set;
    };

    const strike = async (victim: Victim): Promise<void> => {
      kills[victim] = (kills[victim] ?? 0) + 1;
      const channel = CHANNEL_OF[victim];
      if (victim === 'redis') {
        // Writes (claims included) wait from here to the kill, so the snapshot is exactly what is in flight.
        await redis.call('CLIENT', 'PAUSE', '10000', 'WRITE');
        const tasks = await activeTasks();
        const at = Date.now();
        await redisProc.stop();
        await redisProc.start();
        const back = Date.now();
        redisDowntimes.push(back - at);
        // A task in flight may still be sent until its holder sees its lease gone (lost if Redis was away
        // longer than the lease's rest), or its ack may fail: at most one lease after Redis is back.
        crashes.push({ label: 'redis', at, until: back + LEASE_MS, tasks });
        return;
      }
      if (victim === 'ingest') {
        const kill = await f.kill(victim);
        await f.start(victim);
        ingestDowntimes.push(Date.now() - kill.at);
        return;
      }
      const kill = await f.kill(victim);
      const held = await leasesOfPid(redis, queueKeys[channel!], kill.pid);
      orphans += held.length;
      crashes.push({ label: `${victim} pid ${kill.pid}`, at: kill.at, until: kill.at, tasks: new Set(held.map((l) => `${channel}:${l.id}`)) });
      // Restarted at once, as a supervisor would; the other replica (or the new process) reclaims.
      const ids = held.map((l) => l.id);
      const [delays] = await Promise.all([reclaimDelays(redis, queueKeys[channel!], ids, kill, LEASE_MS + 30_000), f.start(victim)]);
      reclaims.push(...delays.values());
      // How long after its lease ran out each was claimed: the claimers' reaction time.
      for (const l of held) afterDeadline.push(kill.at + delays.get(l.id)! - l.deadline);
    };

    await dump('chaos', async () => {
      const strikes = ROUNDS * VICTIMS.length;
      for (let s = 0; s < strikes; s++) {
        // Spread the strikes over the load: strike s waits for its share of accepted groups.
        const due = Math.floor(((s + 1) * GROUPS) / (strikes + 2));
        await waitFor(() => loadFailed ?? accepted() >= due, 10 * 60_000, `${due} accepted groups`);
        if (loadFailed) throw loadFailed;
        if (accepted() < GROUPS) strikesDuringLoad++;
        await strike(VICTIMS[s % VICTIMS.length]);
        // Every process is back and answers (Redis included) before the next strike.
        for (const name of ['ingest', 'notifier-email-1', 'notifier-email-2', 'notifier-sms-1', 'notifier-sms-2']) await f.ready(name);
      }
    });
    const load: LoadStats = await dump('load', () => loading);
    const loadDoneAt = Date.now();

    // --- every accepted group reaches every person on both channels ---------------------------
    const expectedKeys = GROUPS * CHAOS_PEOPLE.length * 2;
    await dump('drain', () => waitFor(() => ledger.update() >= expectedKeys, 5 * 60_000, `${expectedKeys} distinct (group, person, channel) receipts`));
    const drainMs = Date.now() - loadDoneAt;
    const counts = async (name: ReceiptChannel) => new TaskQueue({ redis, prefix, name }).counts();
    await dump('queues', () =>
      waitFor(async () => {
        const all = [await counts('email'), await counts('sms')];
        return all.every((c) => c.pending === 0 && c.active === 0 && c.delayed === 0);
      }, 30_000, 'empty queues'),
    );
    ledger.update();
    const verdict = explainDuplicates(ledger.duplicates(), crashes);
    const maxReclaim = Math.max(0, ...reclaims);
    const byRedis = [...verdict.explainedBy].filter(([c]) => c.label === 'redis').reduce((n, [, k]) => n + k, 0);
    const dupOf = (c: ReceiptChannel) => ledger.duplicates().filter((r) => r[0].channel === c).reduce((n, r) => n + r.length - 1, 0);
    // The figures first, so a failing run shows them too.
    process.stdout.write(
      `chaos crash-under-load: appendfsync=${APPENDFSYNC} groups=${GROUPS} accepted=${load.accepted} loadSec=${(load.elapsedMs / 1000).toFixed(1)} drainSec=${(drainMs / 1000).toFixed(1)} ` +
        `mails=${ledger.total('email')} sms=${ledger.total('sms')} kills=${JSON.stringify(kills)} strikesDuringLoad=${strikesDuringLoad} ` +
        `webhook5xx=${load.serverErrors} webhookConnErrors=${load.connectionErrors} ingestDownMaxMs=${Math.max(0, ...ingestDowntimes)} redisDownMaxMs=${Math.max(0, ...redisDowntimes)} ` +
        `orphans=${orphans} redeliveryMs=p50:${pct(reclaims, 0.5)},max:${maxReclaim} (lease ${LEASE_MS}) claimAfterLeaseEndMs=p50:${pct(afterDeadline, 0.5)},max:${pct(afterDeadline, 1)} ` +
        `duplicates=email:${dupOf('email')},sms:${dupOf('sms')} explained=${verdict.explained}/${verdict.duplicates}(redis:${byRedis}) cutOffMs=${verdict.cutOffMs.min}..+${verdict.cutOffMs.max} ` +
        `setupAndLoadSec=${((Date.now() - started) / 1000).toFixed(0)}\n`,
    );

    // --- every accepted group reached every person on both channels -----------------------------
    expect(load.accepted).toBe(GROUPS);
    expect(ledger.unparsed).toEqual([]);
    expect(mailTimes.filter((t) => t !== undefined)).toHaveLength(smtp.mails.length);
    const missing: string[] = [];
    for (const d of deliveries) {
      for (const p of CHAOS_PEOPLE) {
        if (ledger.receipts('email', d.group.alertname, p.email).length === 0) missing.push(`email ${d.group.alertname} ${p.name}`);
        if (ledger.receipts('sms', d.group.alertname, p.phone).length === 0) missing.push(`sms ${d.group.alertname} ${p.name}`);
      }
    }
    expect(missing).toEqual([]);
    expect({ email: await counts('email'), sms: await counts('sms') }).toMatchObject({ email: { dead: 0 }, sms: { dead: 0 } });

    // --- duplicates: only sends cut off between the provider's OK and the ack -------------------
    if (verdict.unexplained.length) {
      const involved = (c: Crash) => [...c.tasks].filter((t) => verdict.unexplained.some((u) => t === `${u[0].channel}:${u[0].taskId}`));
      process.stderr.write(`crashes: ${JSON.stringify(crashes.map((c) => ({ ...c, tasks: involved(c) })))}\n${f.transcript()}\n`);
    }
    expect(verdict.unexplained).toEqual([]);

    // --- orphaned tasks of a killed notifier are claimed again within lease + 1 s --------------
    // The kills hit work in flight (else this scenario proves nothing).
    expect(orphans).toBeGreaterThan(0);
    expect(maxReclaim).toBeLessThanOrEqual(LEASE_MS + 1000);
    // At least all rounds but the last landed while webhooks were still coming in (the last
    // may trail the load on a slow machine: each strike waits for every process to be back).
    expect(strikesDuringLoad).toBeGreaterThanOrEqual((ROUNDS - 1) * VICTIMS.length);

    // --- a clean stop of everything after all that; no secret or number in any log line ---------
    const exits = await f.stopAll();
    for (const [name, exit] of Object.entries(exits)) {
      expect({ name, code: exit.code, signal: exit.signal, killed: exit.killed }).toEqual({ name, code: 0, signal: null, killed: false });
    }
    const secrets = [SECRET_KEY, SECRET_ID, token];
    const numbers = CHAOS_PEOPLE.map((p) => p.phone.slice(1));
    expect(f.lines().filter((l) => secrets.some((s) => l.includes(s)) || numbers.some((n) => l.includes(n)))).toEqual([]);
  });
});
