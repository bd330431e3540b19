import Redis from 'ioredis';
import { TaskQueue } from '@alertgw/shared';
import { startRedisProcess, uniquePrefix, waitFor, type RedisProcess } from '@alertgw/testkit';
import { startSmtpServer, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../packages/notifier-sms/test/support/fake-tencent';
import { startFake } from '../../packages/notifier-sms/test/support/harness';
import type { ChildExit } from '../e2e/support/child-service';
import { dumpOnFailure, faultsStack, SERVICE_MAIN, type FaultsStack, type ServiceName } from './support/faults-stack';
import { startTcpProxy, type TcpProxy } from './support/faults-tcp-proxy';

/** The promise an operator can plan with: `docker stop`'s default timeout before SIGKILL. */
const EXIT_DEADLINE_MS = 10_000;
/** How long we wait before SIGKILL: past the deadline, so a slow exit is measured, not hidden. */
const KILL_AFTER_MS = EXIT_DEADLINE_MS + 10_000;
const NAMES = Object.keys(SERVICE_MAIN) as ServiceName[];

/** True when `url` answers 2xx within a second; a hung probe counts as not ready. */
async function ready(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => null);
  return Boolean(res?.ok);
}

/**
 * SIGTERM while Redis is unreachable: each service must exit by itself, code 0, within
 * EXIT_DEADLINE_MS. Two ways to be unreachable: the server is gone (connections refused), and
 * the harder one, a black hole (connections accepted or open, nothing ever answers); the
 * hardest adds a mail stuck in flight, which the worker must give up on in time.
 */
describe('shutdown while Redis is unreachable (real processes)', () => {
  let smtp: TestSmtpServer;
  let fake: FakeTencent;
  let redis: RedisProcess | undefined;
  let proxy: TcpProxy | undefined;
  let mute: TcpProxy | undefined;
  let admin: Redis | undefined;
  let stack: FaultsStack | undefined;

  beforeAll(async () => {
    [smtp, fake] = await Promise.all([startSmtpServer(), startFake()]);
  });
  afterEach(async () => {
    await stack?.cleanup();
    admin?.disconnect();
    await Promise.all([proxy?.close(), mute?.close()]);
    await redis?.stop();
    stack = proxy = mute = redis = admin = undefined;
  });
  afterAll(async () => {
    await Promise.all([smtp?.close(), fake?.close()]);
  });

  it.each([
    ['stopped', 'redis-server killed: connections refused'],
    ['blackhole', 'a proxy that accepts and never answers: connections hang'],
    ['blackhole+in-flight', 'the same, while a mail is stuck at an SMTP server that never greets'],
  ] as const)('Redis %s (%s): every service exits 0 within the deadline', (mode, _how) =>
    dumpOnFailure(`shutdown, Redis ${mode}`, () => stack, async () => {
      redis = await startRedisProcess();
      proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
      const inFlight = mode === 'blackhole+in-flight';
      if (inFlight) {
        // Accepts and never greets: the send hangs for as long as the SMTP timeouts (a minute) allow.
        mute = await startTcpProxy({ host: '127.0.0.1', port: smtp.port }, 'smtp');
        mute.blackhole();
      }
      const s = (stack = await faultsStack({
        redisUrl: proxy.url,
        keyPrefix: uniquePrefix('chaos-shut'),
        smtpPort: mute?.port ?? smtp.port,
        fake,
        patch: (tree) => Object.assign(tree.email.smtp, { greetingTimeoutMs: 60_000, socketTimeoutMs: 60_000 }),
      }));
      await Promise.all(NAMES.map((n) => s.start(n)));
      if (inFlight) {
        admin = new Redis(redis.url);
        const email = new TaskQueue({ redis: admin, prefix: s.keyPrefix, name: 'email' });
        // The startup check (transport.verify) opens a connection of its own first; let it.
        await waitFor(async () => mute!.accepted >= 1, 10_000, 'the startup SMTP check to connect');
        const before = mute!.accepted;
        await s.postAlert('ChaosShutdownInFlight');
        // Claimed is not yet in flight: the worker may still be rendering or taking a relay
        // lease (a Redis call the black hole would answer with a timeout, not a stuck send).
        // In flight is when the SMTP look-alike has taken the worker's connection.
        await waitFor(
          async () => (await email.counts()).active === 1 && mute!.accepted > before,
          10_000,
          'the mail to be claimed and at the SMTP server',
        );
      }

      if (mode === 'stopped') await redis.stop();
      else proxy.blackhole();
      // Each service has noticed (its readiness fails) before we ask it to stop: the exit is
      // tested in the state an orchestrator would see it in, not in the instant before.
      await Promise.all(NAMES.map((n) => waitFor(async () => !(await ready(s.readyUrl(n))), 20_000, `${n} to report not ready`)));
      const swallowedAtTerm = proxy.swallowed;

      const exits = await Promise.all(NAMES.map((n) => s.services.get(n)!.stop(KILL_AFTER_MS)));
      const byName = Object.fromEntries(NAMES.map((n, i) => [n, exits[i]])) as Record<ServiceName, ChildExit>;
      const figures = NAMES.map((n) => `${n}=${byName[n].killed ? 'KILLED' : `code ${byName[n].code}`} in ${byName[n].ms} ms`).join(', ');
      process.stdout.write(
        `chaos shutdown [redis ${mode}]: deadline ${EXIT_DEADLINE_MS} ms; ${figures}` +
          (mode === 'stopped' ? '' : `; ${swallowedAtTerm} bytes of Redis commands left unanswered at SIGTERM`) +
          '\n',
      );
      for (const n of NAMES) {
        const e = byName[n];
        expect({ n, code: e.code, signal: e.signal, killed: e.killed }).toEqual({ n, code: 0, signal: null, killed: false });
        expect(e.ms).toBeLessThan(EXIT_DEADLINE_MS);
        expect(s.services.get(n)!.lines().some((l) => l.includes('shutting down'))).toBe(true);
      }
      // The black hole really held something: otherwise this would be the easy case again.
      if (mode !== 'stopped') expect(swallowedAtTerm).toBeGreaterThan(0);
      if (inFlight) {
        // The stuck mail was given up on; Redis could not take it back, so its lease will run out.
        expect(s.services.get('notifier-email')!.lines().some((l) => l.includes('could not give every task back on shutdown'))).toBe(true);
        expect(smtp.mails).toHaveLength(0);
      }
    }),
  );
});
