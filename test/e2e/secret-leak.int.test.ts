import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Redis from 'ioredis';
import { TaskQueue, type TaskStatus } from '@alertgw/shared';
import { deleteKeys, freePort, testRedis, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import { signHs256 } from '../../packages/alertctl/src/sign-token';
import { testAlertMessage } from '../../packages/alertctl/src/test-alert';
import { selfSignedCert } from '../../packages/notifier-email/test/support/self-signed';
import { startSmtpServer, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../packages/notifier-sms/test/support/fake-tencent';
import { startFake } from '../../packages/notifier-sms/test/support/harness';
import { childEnv, requireCompiled, SERVICE_MAIN, startChild, type ChildService } from './support/child-service';
import { PEOPLE } from './support/gateway-config';
import { findLeaks, leakNeedles } from './support/leak-needles';
import { LEAK_SECRETS, leakTestEnv, secretLeakConfigYaml } from './support/secret-leak-config';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = {
  ...SERVICE_MAIN,
  alertctl: path.join(ROOT, 'packages/alertctl/dist/main.js'),
} as const;
const WAIT_MS = 15_000;
const run = promisify(execFile);
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** One thing the gateway said: a process' output, an HTTP answer, a CLI run. */
interface Captured {
  where: string;
  text: string;
  /** Operators manage the directory and see its phone numbers by design; secrets still never. */
  phonesAllowed?: boolean;
}

describe('no secret and no full phone number in anything the gateway says (real processes)', () => {
  const captured: Captured[] = [];
  const runs: ChildService[] = [];
  const env: Record<string, string> = {};
  let redis: Redis;
  let prefix: string;
  let dir: string;
  let smtp: TestSmtpServer;
  let smtpAuth: { user: string; pass: string };
  let fake: FakeTencent;
  const port = { ingest: 0, email: 0, sms: 0 };

  const start = async (name: keyof typeof MAIN, readyPort: number, extra: Record<string, string> = {}): Promise<ChildService> => {
    const service = startChild(name, process.execPath, [MAIN[name]], { env: { ...env, ...extra }, cwd: dir });
    runs.push(service);
    await service.waitReady(`http://127.0.0.1:${readyPort}/readyz`, WAIT_MS);
    return service;
  };

  /** An HTTP call whose whole answer (status, headers, body) goes into the haystack. */
  const http = async (method: string, url: string, headers: Record<string, string> = {}, body?: unknown, phonesAllowed = false) => {
    const res = await fetch(url, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const where = `${method} ${url.replace(/^http:\/\/[^/]+/, '')} → ${res.status}`;
    captured.push({ where, text: `${JSON.stringify([...res.headers])}\n${text}`, phonesAllowed });
    return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const api = (p: string) => `http://127.0.0.1:${port.ingest}${p}`;

  /** Runs the compiled alertctl as a process and keeps everything it printed. */
  const alertctl = async (...argv: string[]): Promise<string> => {
    const out = await run(process.execPath, [MAIN.alertctl, ...argv], { env, cwd: dir }).catch(
      (err: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: err.stdout ?? '', stderr: `${err.stderr ?? ''}\n(exit ${err.code})` }),
    );
    captured.push({ where: `alertctl ${argv.join(' ')}`, text: `${out.stdout}\n${out.stderr}` });
    return out.stdout;
  };

  const queue = (name: string) => new TaskQueue({ redis, prefix, name });
  /** Waits for a task's status; on time-out says what every process printed (the only way to debug this). */
  const taskIn = (name: string, id: string, statuses: TaskStatus[]) =>
    waitFor(async () => statuses.includes((await queue(name).get(id))?.status as TaskStatus), WAIT_MS, `${name} task ${id} to be ${statuses.join('/')}`).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${runs.map((s) => s.transcript()).join('\n')}`);
      },
    );

  beforeAll(async () => {
    requireCompiled(Object.values(MAIN));
    redis = testRedis();
    prefix = uniquePrefix('leak');
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-leak-'));
    const tls = selfSignedCert();
    // The server starts out refusing the configured password: the first mail meets an SMTP auth failure.
    smtpAuth = { user: LEAK_SECRETS.smtpUser, pass: 'not-what-the-gateway-has' };
    [smtp, fake] = await Promise.all([startSmtpServer({ tls, auth: smtpAuth }), startFake()]);
    [port.ingest, port.email, port.sms] = [await freePort(), await freePort(), await freePort()];
    const configFile = path.join(dir, 'config.yaml');
    const wiring = { keyPrefix: prefix, ingestPort: port.ingest, emailOpsPort: port.email, smsOpsPort: port.sms, smtpPort: smtp.port, fake };
    writeFileSync(configFile, secretLeakConfigYaml(wiring, tls.cert));
    Object.assign(env, childEnv(), { CONFIG: configFile, REDIS_URL: testRedisUrl() }, leakTestEnv({ dryRun: false }));
  }, 30_000);

  afterAll(async () => {
    await Promise.all(runs.map((s) => s.stop(5_000)));
    await Promise.all([smtp?.close(), fake?.close()]);
    if (redis) {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('through successes and failures, no output holds a secret or a full phone number in any common encoding', async () => {
    const { oncall, dba } = PEOPLE;
    await Promise.all([start('ingest', port.ingest), start('notifier-email', port.email)]);
    // Dry-run first: no Tencent keys, the requests are built and recorded only.
    const dryRunSms = await start('notifier-sms', port.sms, leakTestEnv({ dryRun: true }));

    // --- webhook: wrong credentials of every kind, then the right ones ----------------------------
    const webhook = api('/webhook/alertmanager');
    const alert = (name: string) =>
      testAlertMessage(
        { labels: { alertname: name, team: 'db', severity: 'critical' }, startsAt: new Date(), receiver: 'gateway', hostname: 'leak-test' },
        'firing',
      );
    const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    const first = alert('LeakTestDryRun');
    const wrongCredentials: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer wrong-token' },
      { Authorization: `Bearer ${LEAK_SECRETS.webhookToken}x` },
      basic(LEAK_SECRETS.basicUser, 'wrong'),
      basic('nobody', LEAK_SECRETS.basicPassword),
    ];
    for (const headers of wrongCredentials) {
      expect((await http('POST', webhook, headers, first)).status).toBe(401);
    }
    const accepted = await http('POST', webhook, basic(LEAK_SECRETS.basicUser, LEAK_SECRETS.basicPassword), first);
    expect(accepted.status).toBe(200);
    const tasksOf = (answer: { json: () => Record<string, unknown> }) => answer.json().tasks as Record<string, { id: string }>;
    const dry = tasksOf(accepted);
    // The mail meets the wrong SMTP password (a configuration error: dead at once); the SMS is a dry run.
    await Promise.all([taskIn('email', dry.email.id, ['dead']), taskIn('sms', dry.sms.id, ['completed'])]);
    expect(Object.values((await queue('sms').get(dry.sms.id))!.results).map((r) => r.status)).toEqual(['dry-run', 'dry-run']);
    expect(smtp.authFailures).toBeGreaterThan(0);
    await dryRunSms.stop();

    // --- real SMS through the fake Tencent: a transient call error, then a permanent refusal ------
    smtpAuth.pass = LEAK_SECRETS.smtpPassword;
    await start('notifier-sms', port.sms);
    let calls = 0;
    // Providers quote numbers and key ids back in their messages; the gateway must not pass them on.
    fake.answerCalls((req) =>
      calls++ === 0
        ? { Code: 'RequestLimitExceeded.IPLimitExceeded', Message: `busy for ${req.PhoneNumberSet.join(',')} (${LEAK_SECRETS.tencentSecretId})` }
        : undefined,
    );
    fake.answerNumbers((phone) =>
      phone === dba.phone ? { Code: 'FailedOperation.PhoneNumberInBlacklist', Message: `${phone} is in the blacklist` } : 'Ok',
    );
    const second = alert('LeakTestSend');
    const real = tasksOf(await http('POST', webhook, { Authorization: `Bearer ${LEAK_SECRETS.webhookToken}` }, second));
    await Promise.all([taskIn('sms', real.sms.id, ['dead']), taskIn('email', real.email.id, ['completed'])]);
    expect(fake.deliveredTo(oncall.phone)).toHaveLength(1);
    expect(fake.calls.some((c) => c.error === 'RequestLimitExceeded.IPLimitExceeded')).toBe(true);

    // --- dead letters replayed with alertctl, now that SMTP and Tencent answer well ---------------
    fake.answerNumbers(() => 'Ok');
    await alertctl('queues');
    await alertctl('queues', '--json');
    await alertctl('replay', 'email', '--all');
    await alertctl('replay', 'sms', '--all');
    await Promise.all([taskIn('email', dry.email.id, ['completed']), taskIn('sms', real.sms.id, ['completed'])]);
    expect(fake.deliveredTo(dba.phone)).toHaveLength(1);

    // --- management API: bad tokens, then viewer and operator -------------------------------------
    const jwtOf = async (role: string) => (await alertctl('token', '--sub', `leak-${role}`, '--role', role)).trim();
    const viewer = { Authorization: `Bearer ${await jwtOf('viewer')}` };
    const operator = { Authorization: `Bearer ${await jwtOf('operator')}` };
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'mallory', role: 'operator' as const, iat: now - 7200, exp: now - 3600 };
    for (const auth of [
      `Bearer ${signHs256(claims, LEAK_SECRETS.jwtSecret)}`,
      `Bearer ${signHs256({ ...claims, exp: now + 3600 }, 'a-guessed-secret')}`,
      `Bearer ${b64url('{"alg":"none"}')}.${b64url(JSON.stringify({ ...claims, exp: now + 3600 }))}.`,
      'Bearer not.a.jwt',
      `Bearer ${LEAK_SECRETS.jwtSecret}`,
      basic(LEAK_SECRETS.basicUser, LEAK_SECRETS.basicPassword).Authorization,
    ]) {
      expect((await http('GET', api('/api/v1/alerts'), { Authorization: auth })).status).toBe(401);
    }
    const fp = second.alerts[0].fingerprint;
    expect((await http('POST', api(`/api/v1/alerts/${fp}/ack`), operator, { comment: 'looking' })).status).toBe(200);
    expect((await http('POST', api(`/api/v1/alerts/${fp}/comment`), operator, { comment: 'replica lag' })).status).toBe(200);
    expect((await http('POST', api(`/api/v1/alerts/${fp}/assign`), operator, { user: dba.name })).status).toBe(200);
    expect((await http('POST', api(`/api/v1/alerts/${fp}/comment`), viewer, { comment: 'not allowed' })).status).toBe(403);

    const reads = [
      '/api/v1/alerts',
      `/api/v1/alerts/${fp}`,
      `/api/v1/alerts/${first.alerts[0].fingerprint}`,
      ...['email', 'sms'].flatMap((c) => ['pending', 'active', 'delayed', 'completed', 'dead'].map((s) => `/api/v1/tasks?channel=${c}&status=${s}`)),
      `/api/v1/tasks/sms:${dry.sms.id}`,
      `/api/v1/tasks/sms:${real.sms.id}`,
      `/api/v1/tasks/email:${dry.email.id}`,
      '/api/v1/directory',
      '/api/v1/users',
      `/api/v1/users/${oncall.name}`,
      '/api/v1/groups',
      '/api/v1/groups/dba',
      '/api/v1/routes',
      '/api/v1/routes/db-team',
      '/api/v1/nowhere',
    ];
    const directoryRead = (p: string) => /^\/api\/v1\/(directory|users)/.test(p);
    for (const p of reads) {
      expect((await http('GET', api(p), viewer)).status).toBeLessThan(p.endsWith('nowhere') ? 500 : 300);
      await http('GET', api(p), operator, undefined, directoryRead(p));
    }
    const routeTest = { labels: { team: 'db', severity: 'critical' } };
    expect((await http('POST', api('/api/v1/routes/test'), viewer, routeTest)).status).toBe(200);
    await http('POST', api('/api/v1/routes/test'), operator, routeTest, true);
    // The dry-run requests a viewer sees in info.dryRun name the numbers, masked.
    const dryTask = (await http('GET', api(`/api/v1/tasks/sms:${dry.sms.id}`), viewer)).json();
    expect(JSON.stringify((dryTask.info as { dryRun: unknown }).dryRun)).toContain('+86138****0001');

    for (const p of [port.ingest, port.email, port.sms]) {
      for (const what of ['/metrics', '/healthz', '/readyz']) await http('GET', `http://127.0.0.1:${p}${what}`);
    }

    // --- the CLI's reads -----------------------------------------------------------------------------
    for (const f of [first.alerts[0].fingerprint, fp]) {
      await alertctl('timeline', f);
      await alertctl('timeline', f, '--json');
    }
    await alertctl('queues');
    await alertctl('user', 'list');
    await alertctl('user', 'list', '--json');
    await alertctl('user', 'show', oncall.name);
    await alertctl('user', 'show', oncall.name, '--json');
    await alertctl('route', 'test', '--labels', 'team=db,severity=critical');
    await alertctl('route', 'test', '--labels', 'team=db,severity=critical', '--json');
    await alertctl('directory', 'show', '--json');
    await alertctl('send-test', '--firing-only', '--url', api(''));
    await alertctl('send-test', '--firing-only', '--url', api(''), '--token', 'wrong-token');

    // --- everything each process wrote, to its last line -------------------------------------------
    await Promise.all(runs.map((s) => s.stop()));
    for (const s of runs) captured.push({ where: `${s.name} output`, text: s.lines().join('\n') });
    expect(captured.filter((c) => c.where.endsWith('output')).every((c) => c.text.length > 0)).toBe(true);
    // The failures were logged where they stopped: the haystack holds the error paths too.
    expect(runs.find((s) => s.name === 'notifier-email')!.lines().join('\n')).toContain('EAUTH');
    expect(runs.filter((s) => s.name === 'notifier-sms').map((s) => s.lines().join('\n')).join('\n')).toMatch(/dry-run[\s\S]*PhoneNumberInBlacklist/);

    const phones = Object.values(PEOPLE).map((p) => p.phone);
    const secrets = leakNeedles({
      secrets: { ...LEAK_SECRETS },
      credentials: [
        { name: 'webhook basic', user: LEAK_SECRETS.basicUser, pass: LEAK_SECRETS.basicPassword },
        { name: 'smtp', user: LEAK_SECRETS.smtpUser, pass: LEAK_SECRETS.smtpPassword },
      ],
      phones: [],
    });
    const numbers = leakNeedles({ secrets: {}, credentials: [], phones });
    const tokens = [viewer, operator].map((h, i) => ({ what: `management JWT #${i}`, text: h.Authorization.slice('Bearer '.length) }));
    const leaks = [
      ...findLeaks(captured, secrets),
      ...findLeaks(captured.filter((c) => !c.phonesAllowed), numbers),
      ...findLeaks(captured.filter((c) => c.where.endsWith('output')), tokens),
    ];
    expect(leaks).toEqual([]);
    // The haystack is real: the masked forms are there, so the search looked where numbers would be.
    expect(captured.some((c) => c.text.includes('+86138****0001'))).toBe(true);
    expect(captured.filter((c) => c.phonesAllowed).some((c) => c.text.includes(oncall.phone))).toBe(true);
  }, 60_000);
});
