import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import { getAlert, TaskQueue, type TimelineEvent } from '@alertgw/shared';
import { deleteKeys, freePort, testRedis, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../packages/notifier-sms/test/support/fake-tencent';
import { DOMESTIC_TEMPLATE, INTL_TEMPLATE, SECRET_ID, SECRET_KEY, SIGN, startFake } from '../../packages/notifier-sms/test/support/harness';
import { requireAlertmanager, startAlertmanager, type Alertmanager, type PostableAlert } from './support/alertmanager';
import { childEnv, requireCompiled, SERVICE_MAIN, startChild, type ChildExit, type ChildService, type ServiceName } from './support/child-service';
import { gatewayConfigYaml, PEOPLE, SECRET_ENV } from './support/gateway-config';


const ALERTNAME = 'E2EReplicationLag';
const WAIT_MS = 15_000;

/** "received:firing", "task-created:email", "notification:sms": one timeline step, order-relevant facts only. */
function step(e: TimelineEvent): string {
  if (e.type === 'received') return `received:${String(e.status)}`;
  return `${e.type}:${String(e.channel)}`;
}

describe('Alertmanager → ingest → notifier-email / notifier-sms → inbox and phone (real processes)', () => {
  const timings: Record<string, number> = {};
  const token = `e2e-${randomBytes(12).toString('hex')}`;
  let redis: Redis;
  let prefix: string;
  let dir: string;
  let smtp: TestSmtpServer;
  let fake: FakeTencent;
  let am: Alertmanager | undefined;
  const services = new Map<ServiceName, ChildService>();

  const everyone = (): ChildService[] => [...(am ? [am.service] : []), ...services.values()];
  /** On failure, print what every process said: the only way to debug a multi-process test. */
  const dumpOnFailure = async (what: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      const out = everyone()
        .map((s) => s.transcript())
        .filter(Boolean)
        .join('\n');
      process.stderr.write(`\n===== ${what} failed; output of the processes =====\n${out}\n===== end of output =====\n`);
      throw err;
    }
  };

  beforeAll(
    () =>
      dumpOnFailure('e2e setup', async () => {
        const started = Date.now();
        requireAlertmanager();
        requireCompiled();
        redis = testRedis();
        prefix = uniquePrefix('e2e');
        dir = mkdtempSync(path.join(tmpdir(), 'alertgw-e2e-'));
        [smtp, fake] = await Promise.all([startSmtpServer(), startFake()]);
        const [ingestPort, emailOpsPort, smsOpsPort] = [await freePort(), await freePort(), await freePort()];
        const configFile = path.join(dir, 'config.yaml');
        writeFileSync(configFile, gatewayConfigYaml({ keyPrefix: prefix, ingestPort, emailOpsPort, smsOpsPort, smtpPort: smtp.port, fake }));

        const env = childEnv({
          CONFIG: configFile,
          REDIS_URL: testRedisUrl(),
          [SECRET_ENV.ingestToken]: token,
          [SECRET_ENV.tencentId]: SECRET_ID,
          [SECRET_ENV.tencentKey]: SECRET_KEY,
        });
        for (const [name, main] of Object.entries(SERVICE_MAIN) as Array<[ServiceName, string]>) {
          services.set(name, startChild(name, process.execPath, [main], { env, cwd: dir }));
        }
        const ready = (name: ServiceName, port: number) => services.get(name)!.waitReady(`http://127.0.0.1:${port}/readyz`, WAIT_MS);
        // allSettled: on a failure, Alertmanager must be ours (to stop) or stopped before afterAll runs.
        const settled = await Promise.allSettled([
          ready('ingest', ingestPort),
          ready('notifier-email', emailOpsPort),
          ready('notifier-sms', smsOpsPort),
          startAlertmanager({ dir, webhookUrl: `http://127.0.0.1:${ingestPort}/webhook/alertmanager`, token, env: childEnv({}) }).then((a) => {
            am = a;
          }),
        ]);
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
        timings.startupMs = Date.now() - started;
      }),
    30_000,
  );

  afterAll(async () => {
    // Safety net only: the test stops everything itself and checks the exits.
    await Promise.all(everyone().map((s) => s.stop(5_000)));
    await Promise.all([smtp?.close(), fake?.close()]);
    if (redis) {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (process.env.E2E_TIMINGS) process.stdout.write(`e2e timings: ${JSON.stringify(timings)}\n`);
  });

  it('one mail and one SMS per person per group notification, the resolved mail after, the whole timeline, clean exits', () =>
    dumpOnFailure('e2e test', async () => {
      const { oncall, dba, bystander } = PEOPLE;
      const lower = (s: string) => s.toLowerCase();
      const mailsTo = (address: string): ReceivedMail[] => smtp.mails.filter((m) => m.rcptTo.map(lower).includes(lower(address)));
      // startsAt = now: an alert older than group_wait is flushed at once, possibly before its sibling is in.
      const startsAt = new Date().toISOString();
      const group: PostableAlert[] = ['db-1', 'db-2'].map((instance) => ({
        labels: { alertname: ALERTNAME, team: 'db', severity: 'critical', instance },
        annotations: { summary: `replication lag on ${instance}` },
        startsAt,
        generatorURL: 'http://prometheus.example/graph',
      }));

      // --- firing -------------------------------------------------------------------------
      const firingPosted = Date.now();
      await am!.postAlerts(group);
      const fingerprints = (await am!.alerts()).filter((a) => a.labels.alertname === ALERTNAME).map((a) => a.fingerprint);
      expect(fingerprints).toHaveLength(2);
      const timelineOf = async (fp: string) => (await getAlert(redis, prefix, fp))?.timeline ?? [];
      const allTimelines = () => Promise.all(fingerprints.map(timelineOf));

      await smtp.waitForMails(1, WAIT_MS);
      timings.firingMailMs = Date.now() - firingPosted;
      await waitFor(() => fake.deliveries.length >= 2, WAIT_MS, 'two SMS at the fake Tencent');
      timings.firingSmsMs = Date.now() - firingPosted;
      await waitFor(async () => (await allTimelines()).every((t) => t.length >= 5), WAIT_MS, 'both notification events on both alerts');

      // Exactly the right people, once each: on-call (mandatory) and the DBA (route), not the web engineer.
      expect(smtp.mails).toHaveLength(1);
      const [firingMail] = smtp.mails;
      expect([...firingMail.rcptTo].map(lower).sort()).toEqual([dba.email, oncall.email].sort());
      expect(mailsTo(oncall.email)).toHaveLength(1);
      expect(mailsTo(dba.email)).toHaveLength(1);
      expect(mailsTo(bystander.email)).toHaveLength(0);
      expect(firingMail.parsed.subject).toMatch(new RegExp(`^\\[FIRING:2\\] ${ALERTNAME}`));
      expect(firingMail.parsed.html).toEqual(expect.stringContaining('replication lag on db-1'));
      expect(firingMail.parsed.html).toEqual(expect.stringContaining('replication lag on db-2'));

      expect(fake.deliveredTo(oncall.phone)).toHaveLength(1);
      expect(fake.deliveredTo(dba.phone)).toHaveLength(1);
      expect(fake.deliveredTo(bystander.phone)).toHaveLength(0);
      // +86 gets the domestic template with the signature, +1 the international one without.
      expect(fake.deliveredTo(oncall.phone)[0]).toMatchObject({ templateId: DOMESTIC_TEMPLATE, signName: SIGN });
      expect(fake.deliveredTo(oncall.phone)[0].params.slice(0, 2)).toEqual(['触发', ALERTNAME]);
      expect(fake.deliveredTo(dba.phone)[0]).toMatchObject({ templateId: INTL_TEMPLATE, signName: undefined });
      // The TC3 signature (secrets from the environment) was accepted on every call, startup check included.
      expect(fake.calls.filter((c) => c.error)).toEqual([]);
      expect(fake.calls.filter((c) => c.action === 'DescribeSmsTemplateList')).toHaveLength(2);

      // --- resolved -----------------------------------------------------------------------
      const resolvedPosted = Date.now();
      // In the past (so resolved now) yet after startsAt: group_wait alone kept the firing phase over 1 s.
      await am!.postAlerts(group.map((a) => ({ ...a, endsAt: new Date(Date.now() - 100).toISOString() })));
      await smtp.waitForMails(2, WAIT_MS);
      timings.resolvedMailMs = Date.now() - resolvedPosted;
      await waitFor(async () => (await allTimelines()).every((t) => t.length >= 8), WAIT_MS, 'the resolved notification event on both alerts');

      const resolvedMail = smtp.mails[1];
      expect(resolvedMail.parsed.subject).toMatch(new RegExp(`^\\[RESOLVED\\] ${ALERTNAME}`));
      expect([...resolvedMail.rcptTo].map(lower).sort()).toEqual([dba.email, oncall.email].sort());
      expect(mailsTo(oncall.email)).toHaveLength(2);
      expect(mailsTo(dba.email)).toHaveLength(2);
      expect(mailsTo(bystander.email)).toHaveLength(0);
      // Resolved SMS are off by default.
      expect(fake.deliveries).toHaveLength(2);
      expect(fake.sendSmsCalls).toHaveLength(2);

      // --- the alert records ----------------------------------------------------------------
      for (const fp of fingerprints) {
        const record = (await getAlert(redis, prefix, fp))!;
        expect(record.alert).toMatchObject({ status: 'resolved', severity: 'critical', receiver: 'gateway' });
        const tl = record.timeline;
        const steps = tl.map(step);
        expect(steps).toHaveLength(8);
        // Within one phase the order of channels is not a contract; across phases it is.
        expect(steps.slice(0, 1)).toEqual(['received:firing']);
        expect(steps.slice(1, 3).sort()).toEqual(['task-created:email', 'task-created:sms']);
        expect(steps.slice(3, 5).sort()).toEqual(['notification:email', 'notification:sms']);
        expect(steps.slice(5)).toEqual(['received:resolved', 'task-created:email', 'notification:email']);

        const find = (from: number, to: number, s: string) => tl.slice(from, to).find((e) => step(e) === s)!;
        const created = { email: find(1, 3, 'task-created:email'), sms: find(1, 3, 'task-created:sms'), resolved: tl[6] };
        for (const c of Object.values(created)) expect(c.duplicate).toBe(false);
        const emailSent = find(3, 5, 'notification:email');
        expect(emailSent).toMatchObject({ taskId: created.email.taskId, taskStatus: 'completed', rejected: [], retrying: [], messageId: firingMail.messageId });
        expect((emailSent.accepted as string[]).map(lower).sort()).toEqual([dba.email, oncall.email].sort());
        const smsSent = find(3, 5, 'notification:sms');
        expect(smsSent).toMatchObject({ taskId: created.sms.taskId, taskStatus: 'completed', delivered: 2, failed: 0, merged: 0, dryRun: 0 });
        expect(Object.values(smsSent.results as Record<string, { status: string }>).map((r) => r.status)).toEqual(['delivered', 'delivered']);
        expect(tl[7]).toMatchObject({ taskId: created.resolved.taskId, taskStatus: 'completed', messageId: resolvedMail.messageId });
        // Timelines are for people reading an alert: numbers masked.
        for (const p of Object.values(PEOPLE)) expect(JSON.stringify(tl)).not.toContain(p.phone.slice(1));
        // The SMS went out under the task the timeline names.
        expect(fake.deliveries.map((d) => d.sessionContext)).toEqual([created.sms.taskId, created.sms.taskId]);
      }
      const counts = async (name: string) => new TaskQueue({ redis, prefix, name }).counts();
      expect(await counts('email')).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 2 });
      expect(await counts('sms')).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 1 });

      // --- shutdown: Alertmanager first (nothing new comes in), then ingest, then the workers ---
      const stopStarted = Date.now();
      const exits: Record<string, ChildExit> = {};
      exits.alertmanager = await am!.service.stop();
      exits.ingest = await services.get('ingest')!.stop();
      const workers = await Promise.all([services.get('notifier-email')!.stop(), services.get('notifier-sms')!.stop(), services.get('notifier-chat')!.stop()]);
      [exits['notifier-email'], exits['notifier-sms'], exits['notifier-chat']] = workers;
      timings.shutdownMs = Date.now() - stopStarted;
      for (const [name, exit] of Object.entries(exits)) {
        timings[`exit.${name}Ms`] = exit.ms;
        expect({ name, code: exit.code, signal: exit.signal, killed: exit.killed }).toEqual({ name, code: 0, signal: null, killed: false });
      }
      // Nothing more arrived while everything wound down.
      expect(smtp.mails).toHaveLength(2);
      expect(fake.deliveries).toHaveLength(2);
      expect((await allTimelines()).map((t) => t.length)).toEqual([8, 8]);

      // --- logs: each service spoke, and no line holds a full phone number or a secret ---------
      const secrets = [SECRET_KEY, SECRET_ID, token];
      const numbers = Object.values(PEOPLE).map((p) => p.phone.slice(1));
      for (const name of Object.keys(SERVICE_MAIN) as ServiceName[]) {
        const lines = services.get(name)!.lines();
        expect(lines.some((l) => l.includes('shutting down'))).toBe(true);
        const leaks = lines.filter((l) => secrets.some((s) => l.includes(s)) || numbers.some((n) => l.includes(n)));
        expect({ name, leaks }).toEqual({ name, leaks: [] });
      }
    }),
  45_000);
});
