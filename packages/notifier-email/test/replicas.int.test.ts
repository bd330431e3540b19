import type Redis from 'ioredis';
import type { NotificationPayload } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { createSmtpTransport } from '../src/transports/smtp';
import { emailQueue, emailWorker } from './support/email-queue';
import { payloadFromFixture } from './support/fixtures';
import { localSmtpConfig } from './support/smtp-config';
import { startSmtpServer } from './support/smtp-test-server';

const TASKS = 1000;

describe('two replicas draining one queue', () => {
  let prefix: string;
  const clients: Redis[] = [];

  beforeEach(() => {
    prefix = uniquePrefix('email-rep');
  });
  afterEach(async () => {
    await deleteKeys(clients[0], prefix);
    await Promise.all(clients.splice(0).map((c) => c.quit()));
  });

  it(`${TASKS} tasks: every mail arrives exactly once`, async () => {
    const server = await startSmtpServer({ parse: false });
    // Each replica has its own Redis connection and its own SMTP pool, like two processes.
    const replicas = [0, 1].map(() => {
      const redis = testRedis();
      clients.push(redis);
      const transport = createSmtpTransport(localSmtpConfig(server.port, { pool: { maxConnections: 4, rateDeltaMs: 1000, rateLimit: 0 } }));
      return { queue: emailQueue(redis, prefix), transport, worker: null as ReturnType<typeof emailWorker> | null };
    });
    const base = payloadFromFixture('firing-one-alert-bearer.json');
    const pipeline = clients[0].pipeline();
    for (let i = 0; i < TASKS; i++) {
      const payload: NotificationPayload = { ...base, deliveryKey: `d${i}`, recipients: [{ name: `u${i}`, address: `u${i}@example.com`, rules: ['test'] }] };
      replicas[0].queue.addEnqueueToPipeline(pipeline, { payload, severityRank: i % 4 });
    }
    await pipeline.exec();

    const started = Date.now();
    for (const r of replicas) {
      r.worker = emailWorker(r.queue, r.transport, { concurrency: 8 });
      r.worker.start();
    }
    try {
      await waitFor(async () => (await replicas[0].queue.counts()).completed === TASKS, 60_000, `${TASKS} completed tasks`);
      const elapsed = Date.now() - started;
      const ids = server.mails.map((m) => m.messageId);
      expect(server.mails).toHaveLength(TASKS);
      expect(ids.every((id) => /^<alertgw\.\d+\.[0-9a-f]{16}@example\.com>$/.test(id))).toBe(true);
      expect(new Set(ids).size).toBe(TASKS);
      const rcpts = server.mails.flatMap((m) => m.rcptTo);
      expect(new Set(rcpts).size).toBe(TASKS);
      const counts = await replicas[0].queue.counts();
      expect(counts).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: TASKS });
      // Both replicas took part (the queue does not hand everything to one).
      const owners = new Set((await replicas[0].queue.list('completed', { limit: TASKS })).map((t) => t.owner));
      expect(owners.size).toBe(2);
      // eslint-disable-next-line no-console
      console.log(`two replicas delivered ${TASKS} mails in ${elapsed} ms`);
    } finally {
      for (const r of replicas) {
        await r.worker?.close(2000);
        r.transport.close();
      }
      await server.close();
    }
  });
});
