import type Redis from 'ioredis';
import type { NotificationPayload } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { createSmtpTransport } from '../../src/transports/smtp';
import { emailQueue, emailWorker } from '../support/email-queue';
import { payloadFromFixture } from '../support/fixtures';
import { localSmtpConfig } from '../support/smtp-config';
import { startSmtpServer } from '../support/smtp-test-server';

const TASKS = 30;

describe('a relay answering 421 "slow down" (real Redis, real SMTP)', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('email-421');
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('every mail goes out on its first attempt, and the pool shrinks to what the relay takes', async () => {
    // The relay takes 2 connections from us; our pool and worker would use 6.
    const server = await startSmtpServer({ parse: false, maxConnections: 2, dataDelayMs: 5 });
    const transport = createSmtpTransport(localSmtpConfig(server.port, { pool: { maxConnections: 6, rateDeltaMs: 1000, rateLimit: 0 } }));
    // maxAttempts 2: had a 421 cost an attempt, tasks would retry or go to the dead letters.
    const queue = emailQueue(redis, prefix, 2);
    const base = payloadFromFixture('firing-one-alert-bearer.json');
    const ids: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const payload: NotificationPayload = { ...base, deliveryKey: `d${i}`, recipients: [{ name: `u${i}`, address: `u${i}@example.com`, rules: ['test'] }] };
      ids.push((await queue.enqueue({ payload, severityRank: i % 4 })).id);
    }
    const worker = emailWorker(queue, transport, { concurrency: 6 });
    worker.start();
    try {
      let fewest = transport.gate.allowed;
      await waitFor(
        async () => {
          fewest = Math.min(fewest, transport.gate.allowed);
          return (await queue.counts()).completed === TASKS;
        },
        30_000,
        `${TASKS} completed tasks`,
      );
      expect(await queue.counts()).toMatchObject({ completed: TASKS, delayed: 0, dead: 0 });
      const tasks = await Promise.all(ids.map((id) => queue.get(id)));
      expect(tasks.map((t) => t?.attempts)).toEqual(ids.map(() => 1));
      expect(server.mails).toHaveLength(TASKS);
      // The relay did say 421, and the transport listened: it sent on fewer connections.
      expect(server.refused421).toBeGreaterThan(0);
      expect(fewest).toBeLessThanOrEqual(3);
    } finally {
      await worker.close(2000);
      transport.close();
      await server.close();
    }
  });
});
