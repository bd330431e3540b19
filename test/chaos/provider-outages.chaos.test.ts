import { spawn } from 'node:child_process';
import path from 'node:path';
import Redis from 'ioredis';
import { getAlert, TaskQueue, type TimelineEvent } from '@alertgw/shared';
import { startRedisProcess, uniquePrefix, waitFor, type RedisProcess } from '@alertgw/testkit';
import { smtpError, startSmtpServer, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../packages/notifier-sms/test/support/fake-tencent';
import { startFake } from '../../packages/notifier-sms/test/support/harness';
import { PEOPLE } from '../e2e/support/gateway-config';
import { dumpOnFailure, faultsStack, type FaultsStack, type ServiceName } from './support/faults-stack';

/** The outage the issue names: both providers down for a minute. */
const OUTAGE_MS = 60_000;
/** Longest wait between two attempts: the gateway is back within this after a provider is. */
const BACKOFF_MAX_MS = 8_000;
const ALERTCTL = path.resolve(__dirname, '../../packages/alertctl/bin/alertctl.js');
const { oncall, dba } = PEOPLE;

/** Runs the built alertctl as an operator would; resolves with its exit code and output. */
function alertctl(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ALERTCTL, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

/** Milliseconds between successive events: the waits the retries actually made. */
const gaps = (events: TimelineEvent[]) => events.slice(1).map((e, i) => Date.parse(e.at) - Date.parse(events[i].at));

/**
 * Providers fail, the gateway waits and retries, nothing is lost or doubled: SMTP refuses
 * connections and Tencent answers InternalError for OUTAGE_MS (one mail to every recipient and
 * one SMS per number in the end, the retries visible in the alert's timeline); then permanent
 * refusals (a mailbox that does not exist, a blacklisted number) dead-letter, and once the
 * operator fixed the cause `alertctl replay` delivers to exactly those recipients.
 */
describe('provider outages (real processes)', () => {
  let redisServer: RedisProcess;
  let redis: Redis;
  let smtp: TestSmtpServer;
  let fake: FakeTencent;
  let stack: FaultsStack | undefined;
  let prefix: string;
  let mailboxMissing = false;
  let numberBlacklisted = false;

  const post = (alertname: string) => stack!.postAlert(alertname);
  const mailsTo = (alertname: string, address: string) =>
    smtp.mails.filter((m) => m.parsed.subject?.includes(alertname) && m.rcptTo.map((a) => a.toLowerCase()).includes(address));
  const smsTo = (alertname: string, phone: string) => fake.deliveredTo(phone).filter((d) => d.params.includes(alertname));
  const notifications = async (fp: string, channel: string) =>
    ((await getAlert(redis, prefix, fp))?.timeline ?? []).filter((e) => e.type === 'notification' && e.channel === channel);

  beforeAll(async () => {
    redisServer = await startRedisProcess();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 3 });
    smtp = await startSmtpServer({ onRcpt: (address) => (mailboxMissing && address === dba.email ? smtpError(550, '5.1.1 mailbox unavailable') : undefined) });
    fake = await startFake();
    fake.answerNumbers((phone) => (numberBlacklisted && phone === dba.phone ? 'FailedOperation.PhoneNumberInBlacklist' : 'Ok'));
    prefix = uniquePrefix('chaos-out');
    stack = await faultsStack({
      redisUrl: redisServer.url,
      keyPrefix: prefix,
      smtpPort: smtp.port,
      fake,
      patch: (tree) => {
        // Backoff long enough to be seen, short enough to recover within seconds; attempts to outlast the minute.
        tree.queue = { backoff: { baseMs: 1000, maxMs: BACKOFF_MAX_MS }, maxAttempts: 40 };
      },
    });
    await Promise.all((['ingest', 'notifier-email', 'notifier-sms'] as ServiceName[]).map((n) => stack!.start(n)));
  }, 60_000);
  afterAll(async () => {
    await stack?.cleanup();
    await Promise.all([smtp?.close(), fake?.close()]);
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('SMTP refusing and Tencent failing for a minute: every mail arrives, one SMS per number, retries in the timeline', () =>
    dumpOnFailure('provider outage', () => stack, async () => {
      await smtp.refuseConnections();
      fake.answerCalls(() => ({ Code: 'InternalError', Message: 'an internal error occurred (chaos)' }));
      const started = Date.now();
      const fp = await post('ChaosProviderOutage');
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await smtp.acceptConnections();
      fake.answerCalls(() => undefined);
      const outageOver = Date.now();
      await waitFor(() => mailsTo('ChaosProviderOutage', oncall.email).length >= 1 && smsTo('ChaosProviderOutage', oncall.phone).length >= 1 && smsTo('ChaosProviderOutage', dba.phone).length >= 1, 30_000, 'mail and SMS after the outage');
      const email = await waitFor(async () => {
        const n = await notifications(fp, 'email');
        return n.at(-1)?.taskStatus === 'completed' ? n : null;
      }, 10_000, 'the completed email in the timeline');
      const sms = await waitFor(async () => {
        const n = await notifications(fp, 'sms');
        return n.at(-1)?.taskStatus === 'completed' ? n : null;
      }, 10_000, 'the completed SMS in the timeline');
      const refusedSends = fake.sendSmsCalls.filter((c) => c.error === 'InternalError').length;
      const mails = smtp.mails.filter((m) => m.parsed.subject?.includes('ChaosProviderOutage'));
      process.stdout.write(
        `chaos provider-outages [outage ${OUTAGE_MS / 1000} s]: mails expected 1 (2 recipients), arrived ${mails.length}, ` +
          `recovered ${Date.parse(email.at(-1)!.at) - outageOver} ms after SMTP came back; email attempts ${email.length}, backoff gaps ${JSON.stringify(gaps(email))} ms; ` +
          `SMS numbers 2, sends ${smsTo('ChaosProviderOutage', oncall.phone).length + smsTo('ChaosProviderOutage', dba.phone).length}, InternalError answers ${refusedSends}, ` +
          `SMS attempts ${sms.length}, gaps ${JSON.stringify(gaps(sms))} ms; total ${Date.now() - started} ms\n`,
      );
      expect(mails).toHaveLength(1);
      expect(mails[0].rcptTo.map((a) => a.toLowerCase()).sort()).toEqual([dba.email, oncall.email].sort());
      expect(smsTo('ChaosProviderOutage', oncall.phone)).toHaveLength(1);
      expect(smsTo('ChaosProviderOutage', dba.phone)).toHaveLength(1);
      // Retried through the minute, not given up on, and with growing waits rather than a hot loop.
      expect(email.slice(0, -1).every((e) => e.taskStatus === 'delayed')).toBe(true);
      expect(email.length).toBeGreaterThanOrEqual(4);
      expect(email.length).toBeLessThan(40);
      expect(refusedSends).toBeGreaterThanOrEqual(2);
      expect(sms.slice(0, -1).every((e) => e.taskStatus === 'delayed')).toBe(true);
      // InternalError asks for 10 s between retries (classify-tencent-code), capped by queue.backoff.maxMs (8 s here).
      expect(Math.min(...gaps(sms))).toBeGreaterThanOrEqual(BACKOFF_MAX_MS - 500);
      const counts = (name: string) => new TaskQueue({ redis, prefix, name }).counts();
      expect(await counts('email')).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 1 });
      expect(await counts('sms')).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 1 });
    }),
  );

  it('permanent refusals dead-letter; after the fix `alertctl replay` delivers to exactly the refused recipients', () =>
    dumpOnFailure('dead letters and replay', () => stack, async () => {
      mailboxMissing = true;
      numberBlacklisted = true;
      const fp = await post('ChaosPermanent');
      const email = new TaskQueue({ redis, prefix, name: 'email' });
      const sms = new TaskQueue({ redis, prefix, name: 'sms' });
      await waitFor(async () => (await email.counts()).dead === 1 && (await sms.counts()).dead === 1, 30_000, 'a dead letter in each channel');
      expect(mailsTo('ChaosPermanent', oncall.email)).toHaveLength(1);
      expect(mailsTo('ChaosPermanent', dba.email)).toHaveLength(0);
      expect(smsTo('ChaosPermanent', oncall.phone)).toHaveLength(1);
      expect(smsTo('ChaosPermanent', dba.phone)).toHaveLength(0);

      // The operator creates the mailbox and takes the number off the blacklist, then replays.
      mailboxMissing = false;
      numberBlacklisted = false;
      const replays = await Promise.all(['email', 'sms'].map((channel) => alertctl(['replay', channel, '--all', '--config', stack!.configFile], stack!.env)));
      for (const r of replays) expect(r).toEqual({ code: 0, out: expect.stringContaining('replayed 1 dead letter') });
      await waitFor(() => mailsTo('ChaosPermanent', dba.email).length >= 1 && smsTo('ChaosPermanent', dba.phone).length >= 1, 30_000, 'the replayed mail and SMS');
      await waitFor(async () => (await email.counts()).completed === 2 && (await sms.counts()).completed === 2, 10_000, 'the replayed tasks completed');
      const timeline = (await getAlert(redis, prefix, fp))!.timeline.filter((e) => e.type === 'notification').map((e) => `${String(e.channel)}:${String(e.taskStatus)}`);
      process.stdout.write(
        `chaos provider-outages [dead letters]: dead-lettered 2 (email 1, sms 1), replayed ${replays.length} with alertctl, delivered after replay: ` +
          `mail to the refused address ${mailsTo('ChaosPermanent', dba.email).length}, SMS to the refused number ${smsTo('ChaosPermanent', dba.phone).length}; ` +
          `repeats to those already served: mail ${mailsTo('ChaosPermanent', oncall.email).length - 1}, SMS ${smsTo('ChaosPermanent', oncall.phone).length - 1}; timeline ${timeline.join(' → ')}\n`,
      );
      // Exactly the refused recipients, once; who was served before is not served again.
      const replayedMail = mailsTo('ChaosPermanent', dba.email);
      expect(replayedMail).toHaveLength(1);
      expect(replayedMail[0].rcptTo.map((a) => a.toLowerCase())).toEqual([dba.email]);
      expect(mailsTo('ChaosPermanent', oncall.email)).toHaveLength(1);
      expect(smsTo('ChaosPermanent', dba.phone)).toHaveLength(1);
      expect(smsTo('ChaosPermanent', oncall.phone)).toHaveLength(1);
      expect(timeline.sort()).toEqual(['email:completed', 'email:dead', 'sms:completed', 'sms:dead']);
      expect(await email.counts()).toMatchObject({ dead: 0, delayed: 0, pending: 0, active: 0 });
      expect(await sms.counts()).toMatchObject({ dead: 0, delayed: 0, pending: 0, active: 0 });
    }),
  );
});
