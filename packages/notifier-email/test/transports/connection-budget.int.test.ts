import type Redis from 'ioredis';
import { QueueKeys } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { isOverShare, OVER_SHARE, startConnectionBudget, type ConnectionBudget } from '../../src/transports/connection-budget';
import { createSmtpTransport, type SmtpTransport } from '../../src/transports/smtp';
import type { OutgoingMail } from '../../src/transports/types';
import { localSmtpConfig } from '../support/smtp-config';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-test-server';

const TOTAL = 6;

function mail(i: number): OutgoingMail {
  return {
    from: 'alerts@example.com',
    to: [`u${i}@example.com`],
    cc: [],
    envelopeTo: [`u${i}@example.com`],
    subject: `storm ${i}`,
    html: `<p>alert ${i}</p>`,
    text: `alert ${i}`,
    messageId: `<budget.${i}@example.com>`,
    inReplyTo: '',
    references: '',
    headers: {},
    attachments: [],
    priority: i % 4,
  };
}

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

  it(`4 replicas sending a storm never hold more than ${TOTAL} connections open at the relay together`, async () => {
    // The relay refuses one connection more than the budget: an overrun would show as a 421 too.
    server = await startSmtpServer({ parse: false, maxConnections: TOTAL, dataDelayMs: 5 });
    const replicas = Array.from({ length: 4 }, () => {
      // Each replica has its own Redis connection, budget and pool (a pool of 10 on its own).
      const t = createSmtpTransport(localSmtpConfig(server!.port, { pool: { maxConnections: 10, rateDeltaMs: 1000, rateLimit: 0 } }), { budget: budget(client()) });
      transports.push(t);
      return t;
    });
    // Every replica counts itself in before the storm, so the shares are split from the first mail.
    await waitFor(async () => (await admin.zcard(keys.connectionHolders)) === 4, 5000, 'four live holders');
    const sends = Array.from({ length: 120 }, (_, i) => replicas[i % 4].send(mail(i), new AbortController().signal));
    const receipts = await Promise.all(sends);
    expect(receipts.every((r) => r.accepted.length === 1)).toBe(true);
    expect(server.mails).toHaveLength(120);
    expect(server.maxConcurrent).toBeLessThanOrEqual(TOTAL);
    expect(server.refused421).toBe(0);
    // The budget was used, not left idle: the relay saw its whole limit at once.
    expect(server.maxConcurrent).toBe(TOTAL);
    expect(await admin.zcard(keys.connectionSlots)).toBeLessThanOrEqual(TOTAL);
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
