import { startRedisProcess, uniquePrefix, waitFor, type RedisProcess } from '@alertgw/shared/testing';
import { startSmtpServer, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../packages/notifier-sms/test/support/fake-tencent';
import { startFake } from '../../packages/notifier-sms/test/support/harness';
import type { ChildExit } from '../e2e/support/child-service';
import { dumpOnFailure, faultsStack, SERVICE_MAIN, type FaultsStack, type ServiceName } from './support/faults-stack';
import { startTcpProxy, type TcpProxy } from './support/faults-tcp-proxy';

/** The promise an operator (and Kubernetes' terminationGracePeriodSeconds) can plan with. */
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
 * the harder one, a black hole (connections accepted or open, nothing ever answers).
 */
describe('shutdown while Redis is unreachable (real processes)', () => {
  let smtp: TestSmtpServer;
  let fake: FakeTencent;
  let redis: RedisProcess | undefined;
  let proxy: TcpProxy | undefined;
  let stack: FaultsStack | undefined;

  beforeAll(async () => {
    [smtp, fake] = await Promise.all([startSmtpServer(), startFake()]);
  });
  afterEach(async () => {
    await stack?.cleanup();
    await proxy?.close();
    await redis?.stop();
    stack = proxy = redis = undefined;
  });
  afterAll(async () => {
    await Promise.all([smtp?.close(), fake?.close()]);
  });

  it.each([
    ['stopped', 'redis-server killed: connections refused'],
    ['blackhole', 'a proxy that accepts and never answers: connections hang'],
  ] as const)('Redis %s (%s): every service exits 0 within the deadline', (mode, _how) =>
    dumpOnFailure(`shutdown, Redis ${mode}`, () => stack, async () => {
      redis = await startRedisProcess();
      proxy = await startTcpProxy({ host: '127.0.0.1', port: redis.port });
      const s = (stack = await faultsStack({ redisUrl: proxy.url, keyPrefix: uniquePrefix('chaos-shut'), smtpPort: smtp.port, fake }));
      await Promise.all(NAMES.map((n) => s.start(n)));

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
          (mode === 'blackhole' ? `; ${swallowedAtTerm} bytes of commands left unanswered at SIGTERM` : '') +
          '\n',
      );
      for (const n of NAMES) {
        const e = byName[n];
        expect({ n, code: e.code, signal: e.signal, killed: e.killed }).toEqual({ n, code: 0, signal: null, killed: false });
        expect(e.ms).toBeLessThan(EXIT_DEADLINE_MS);
        expect(s.services.get(n)!.lines().some((l) => l.includes('shutting down'))).toBe(true);
      }
      // The black hole really held something: otherwise this would be the easy case again.
      if (mode === 'blackhole') expect(swallowedAtTerm).toBeGreaterThan(0);
    }),
  );
});
