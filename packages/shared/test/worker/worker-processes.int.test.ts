import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { TaskQueue } from '../../src/queue/task-queue';
import { Worker } from '../../src/worker/worker';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';

const CHILD = path.join(__dirname, 'support/worker-child.js');
const DIST = path.join(__dirname, '../../dist/index.js');

function startChild(prefix: string, mode: 'count' | 'hang', concurrency: number, leaseMs: number): Promise<ChildProcess> {
  const child = fork(CHILD, [prefix, mode, String(concurrency), String(leaseMs)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker child exited early with ${code}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('worker processes against real Redis', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(() => {
    if (!existsSync(DIST)) throw new Error('packages/shared/dist is missing: run `npm run build` (npm test does it)');
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('wp');
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('4 worker processes × 2,000 tasks: every task is acked exactly once', async () => {
    const queue = new TaskQueue({ redis, prefix, name: 'email' });
    const pipeline = redis.pipeline();
    for (let i = 0; i < 2000; i++) {
      queue.addEnqueueToPipeline(pipeline, {
        payload: { recipients: [{ name: 'a', address: `user${i}@example.com`, rules: ['test'] }] },
        severityRank: i % 5,
      });
    }
    await pipeline.exec();
    const children = await Promise.all([0, 1, 2, 3].map(() => startChild(prefix, 'count', 8, 30_000)));
    try {
      const acked = `{${prefix}}:email:test-acked`;
      await waitFor(async () => (await redis.hlen(acked)) === 2000, 60_000, '2000 acks');
      const counts = Object.values(await redis.hgetall(acked)).map(Number);
      const sends = Object.values(await redis.hgetall(`{${prefix}}:email:test-sent`)).map(Number);
      expect(counts).toHaveLength(2000);
      expect(counts.every((n) => n === 1)).toBe(true);
      expect(sends).toHaveLength(2000);
      expect(sends.every((n) => n === 1)).toBe(true);
      expect(await queue.counts()).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 2000 });
    } finally {
      await Promise.all(children.map(stopChild));
    }
  });

  it('a worker killed with SIGKILL mid-task: its task is redelivered after the lease, nothing lost', async () => {
    const queue = new TaskQueue({ redis, prefix, name: 'email', leaseMs: 500 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await queue.enqueue({ payload: { recipients: [{ name: 'a', address: `u${i}@example.com`, rules: [] }] }, severityRank: 0 })).id);
    }
    const victim = await startChild(prefix, 'hang', 1, 500);
    const started = await waitFor(() => redis.get(`{${prefix}}:email:test-started`), 10_000, 'victim started a task');
    const [victimTaskId] = started.split(':');
    victim.kill('SIGKILL');
    await new Promise((r) => victim.once('exit', r));

    const sent: string[] = [];
    const rescuer = new Worker({
      queue,
      concurrency: 2,
      handler: {
        async send(task, pending) {
          sent.push(task.id);
          return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at: new Date().toISOString() }])) };
        },
      },
    });
    rescuer.start();
    try {
      await waitFor(async () => (await queue.counts()).completed === 3, 15_000, 'all three completed');
      expect(sent.sort()).toEqual([...ids].sort());
      const redelivered = (await queue.get(victimTaskId))!;
      expect(redelivered.attempts).toBe(2);
      expect(redelivered.lastError).toMatch(/lease expired/);
    } finally {
      await rescuer.close();
    }
  });
});
