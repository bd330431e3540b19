import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { freePort, startRedisProcess, waitFor, type RedisProcess } from '@alertgw/testkit';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The README's promise, as a newcomer runs it: `npm start` (scripts/start.js on the compiled
 * services, config.example.yaml) brings up ingest and the three notifiers, prints where to post
 * and where the mail lands; the sample alert it suggests becomes a mail file there; Ctrl-C
 * (SIGTERM here) stops everything. Started from another directory on purpose: the printed mail
 * directory must be where the mail is written, whatever the caller's cwd.
 */
describe('npm start (scripts/start.js, real processes)', () => {
  let redis: RedisProcess;
  let start: ChildProcess | undefined;
  let out = '';

  beforeAll(async () => {
    redis = await startRedisProcess();
  });
  afterAll(async () => {
    start?.kill('SIGKILL');
    await redis.stop();
  });

  it('runs the stack, turns the suggested sample alert into a mail file where it says, and stops on SIGTERM', async () => {
    const [ingestPort, emailOps, smsOps, chatOps] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    start = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], {
      cwd: path.join(ROOT, 'test'),
      env: {
        ...process.env,
        CONFIG: path.join(ROOT, 'config.example.yaml'),
        REDIS_URL: redis.url,
        INGEST_PORT: String(ingestPort),
        EMAIL_OPS_PORT: String(emailOps),
        SMS_OPS_PORT: String(smsOps),
        CHAT_OPS_PORT: String(chatOps),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    start.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const printed = (pattern: RegExp) => waitFor(() => pattern.exec(out), 60_000, `${pattern} in npm start's output`);

    const webhook = (await printed(/webhook:\s+(\S+)/))[1]!;
    const mailDir = (await printed(/mail: written to (.+?) \(open/))[1]!;
    expect(webhook).toBe(`http://127.0.0.1:${ingestPort}/webhook/alertmanager`);
    expect(mailDir).toBe(path.join(ROOT, 'var', 'mail'));
    // Every service says it started before the stack is ready to use.
    for (const svc of ['ingest', 'notifier-email', 'notifier-sms', 'notifier-chat']) await printed(new RegExp(`\\[${svc}\\].*${svc} (started|listening)`));
    // And npm start says when they all answer /readyz (Redis included): a webhook before that may get 503.
    await printed(/\[start\].* ready: every service answers \/readyz/);

    const sample = readFileSync(path.join(ROOT, 'examples', 'sample-alert.json'));
    // Named after the Message-ID, which a fresh Redis gives again: a file from an earlier run
    // may have this name, so "new" means written after the post.
    const postedAt = Date.now() - 1000;
    const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sample });
    expect(res.status).toBe(200);
    const mail = await waitFor(
      () =>
        listMail(mailDir).find(
          (f) => f.endsWith('.eml') && statSync(path.join(mailDir, f)).mtimeMs >= postedAt && readFileSync(path.join(mailDir, f), 'utf8').includes('HighCPU'),
        ),
      30_000,
      'the sample alert as a mail file in the printed directory',
    ).catch((err: Error) => {
      throw new Error(`${err.message}; npm start printed:\n${out}`);
    });
    expect(mail).toMatch(/\.eml$/);

    const exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));
    start.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const svc of ['ingest', 'notifier-email', 'notifier-sms', 'notifier-chat']) expect(out).toContain(`${svc} exited`);
    start = undefined;
  }, 120_000);
});

function listMail(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
