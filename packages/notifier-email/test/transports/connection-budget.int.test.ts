import type Redis from 'ioredis';
import { QueueKeys, type NotificationPayload } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { isOverShare, OVER_SHARE, startConnectionBudget, type ConnectionBudget } from '../../src/transports/connection-budget';
import { createSmtpTransport, type SmtpTransport } from '../../src/transports/smtp';
import { emailQueue, emailWorker } from '../support/email-queue';
import { payloadFromFixture } from '../support/fixtures';
import { localSmtpConfig } from '../support/smtp-config';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-test-server';

const TOTAL = 6;
const MAILS = 120;

describe('email.smtp.maxConnectionsTotal: one connection budget for every replica (Redis lease semaphore)', () => {
  let prefix: string;
  let keys: QueueKeys;
  let server: TestSmtpServer | undefined;
  /** The test's own connection, for assertions and clean-up. */
  let admin: Redis;
  /** One connection per replica, as separate processes would have. */
  const clients: Redis[] = [];
  const budgets: ConnectionBudget[] = [];
  const transports: SmtpTransport[] = [];
  const client = () => {
    const redis = testRedis();
    clients.push(redis);
    return redis;
  };
  const budget = (redis: Redis, opts: { leaseMs?: number; waitMs?: number; total?: number } = {}) => {
    const b = startConnectionBudget({ redis, keys, total: TOTAL, ...opts });
    budgets.push(b);
    return b;
  };

  beforeEach(() => {
    prefix = uniquePrefix('email-budget');
    keys = new QueueKeys(prefix, 'email');
    admin = testRedis();
  });
  afterEach(async () => {
    for (const t of transports.splice(0)) t.close();
    await Promise.all(budgets.splice(0).map((b) => b.close()));
    await server?.close();
    server = undefined;
    await deleteKeys(admin, prefix);
    await admin.quit();
    for (const c of clients.splice(0)) c.disconnect();
  });

  it(`4 replicas working a storm off one queue never hold more than ${TOTAL} connections open at the relay together`, async () => {
    // The relay refuses one connection more than the budget: an overrun would show as a 421 too.
    server = await startSmtpServer({ parse: false, maxConnections: TOTAL, dataDelayMs: 5 });
    const queue = emailQueue(admin, prefix, 2);
    const base = payloadFromFixture('firing-one-alert-bearer.json');
    const pipeline = admin.pipeline();
    for (let i = 0; i < MAILS; i++) {
      const payload: NotificationPayload = { ...base, deliveryKey: `d${i}`, recipients: [{ name: `u${i}`, address: `u${i}@example.com`, rules: ['test'] }] };
      queue.addEnqueueToPipeline(pipeline, { payload, severityRank: i % 4 });
    }
    await pipeline.exec();
    // Each replica: its own Redis connection, budget, pool (10 on its own) and worker (8 at once).
    const workers = Array.from({ length: 4 }, () => {
      const redis = client();
      const transport = createSmtpTransport(localSmtpConfig(server!.port, { pool: { maxConnections: 10, rateDeltaMs: 1000, rateLimit: 0 } }), { budget: budget(redis) });
      transports.push(transport);
      return emailWorker(emailQueue(redis, prefix, 2), transport, { concurrency: 8 });
    });
    // Every replica counts itself in before the storm, so the shares are split from the first mail.
    await waitFor(async () => (await admin.zcard(keys.connectionHolders)) === 4, 5000, 'four live holders');
    for (const w of workers) w.start();
    try {
      await waitFor(async () => (await queue.counts()).completed === MAILS, 30_000, `${MAILS} completed tasks`);
    } finally {
      await Promise.all(workers.map((w) => w.close(2000)));
    }
    expect(server.mails).toHaveLength(MAILS);
    expect(server.maxConcurrent).toBeLessThanOrEqual(TOTAL);
    expect(server.refused421).toBe(0);
    // The budget was used, not left idle: the relay saw its whole limit at once.
    expect(server.maxConcurrent).toBe(TOTAL);
    const tasks = await queue.list('completed', { limit: MAILS });
    expect(new Set(tasks.map((t) => t.owner)).size).toBe(4);
    expect(tasks.every((t) => t.attempts === 1)).toBe(true);
  });

  it('a holder that dies without giving back its permits frees them when their lease runs out', async () => {
    const dying = client();
    const holder = budget(dying, { leaseMs: 400 });
    const permits = [];
    for (let i = 0; i < TOTAL; i++) permits.push(await holder.acquire());
    expect(holder.held).toBe(TOTAL);
    // Its process is gone: no renewal, no release (the connection to Redis is cut).
    dying.disconnect();

    const survivor = budget(client(), { leaseMs: 400, waitMs: 50 });
    await expect(survivor.acquire()).rejects.toMatchObject({ code: 'SEND_TRANSIENT', details: { providerCode: 'EBUDGET' } });
    const patient = budget(client(), { leaseMs: 400, waitMs: 5000 });
    const permit = await patient.acquire();
    expect(permit.id.startsWith(`${patient.holder}/`)).toBe(true);
    // The dead holder's place expired too: the live ones share the whole budget.
    await waitFor(async () => !(await admin.zrange(keys.connectionHolders, 0, -1)).includes(holder.holder), 5000, 'the dead holder to expire');
  });

  it('splits the total among the live replicas, the remainder to the first by name', async () => {
    // 5 between two: 3 for the first holder by name, 2 for the other.
    const [a, b] = [0, 1].map(() => budget(client(), { waitMs: 100, total: 5 }));
    await waitFor(async () => (await admin.zcard(keys.connectionHolders)) === 2, 5000, 'two live holders');
    await Promise.all([a.acquire(), b.acquire()]);
    const [small, large] = [a, b].sort((x, y) => x.share - y.share);
    expect([small.share, large.share]).toEqual([2, 3]);
    expect(small.holder > large.holder).toBe(true);
    await small.acquire();
    // Permits are free, but not for the replica that holds its share already: it is told at once,
    // so its transport sends the mail on a connection it has instead of waiting.
    const refused = small.acquire();
    await expect(refused).rejects.toMatchObject({ details: { providerCode: OVER_SHARE } });
    expect(isOverShare(await refused.catch((e: unknown) => e))).toBe(true);
    await large.acquire();
    await large.acquire();
    expect([small.held, large.held]).toEqual([2, 3]);
  });
});
