import type Redis from 'ioredis';
import { TaskQueue } from '../../src/queue/task-queue';
import type { ChannelHandler, RecipientResult } from '../../src/queue/types';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { Worker } from '../../src/worker/worker';

type Payload = { name: string; recipients: Array<{ name: string; address: string; rules: string[] }> };

// Batched, prefetched claims must not cost severity order: a critical task that arrives while
// a batch of lower ones is claimed (some sending, some waiting in the worker for a slot) is the
// next one claimed and the next one sent.
describe('Worker severity order with batched claims', () => {
  let redis: Redis;
  let prefix: string;
  let worker: Worker<Payload> | undefined;

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('wsev');
  });
  afterEach(async () => {
    await worker?.close(1000);
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('a critical task arriving while a batch is in flight is sent before the batch tasks still waiting', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email' });
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    const handler: ChannelHandler<Payload> = {
      send(task) {
        started.push(task.payload.name);
        return new Promise((resolve) => {
          const results: Record<string, RecipientResult> = { 'a@x': { status: 'delivered', at: new Date().toISOString() } };
          gates.set(task.payload.name, () => resolve({ results }));
        });
      },
    };
    const enqueue = (name: string, severityRank: number) => queue.enqueue({ payload: { name, recipients: [{ name: 'a', address: 'a@x', rules: [] }] }, severityRank });
    for (let i = 1; i <= 6; i++) await enqueue(`info${i}`, 3);

    // Concurrency 2: one claim takes four (two sending, two waiting for a slot).
    worker = new Worker({ queue, handler, concurrency: 2 });
    worker.start();
    await waitFor(() => started.length === 2 && worker!.inFlight === 4, 5000, 'first batch claimed');
    expect(started).toEqual(['info1', 'info2']);

    const { id: critical } = await enqueue('critical', 0);
    // info1 ends: info3 takes its slot, and the claim for the freed room takes the critical task.
    gates.get('info1')!();
    await waitFor(async () => (await queue.get(critical))?.status === 'active' && worker!.inFlight === 4, 5000, 'critical claimed');
    expect(started).toEqual(['info1', 'info2', 'info3']);

    // info4 was claimed first and waits longer, but the critical task goes next.
    gates.get('info2')!();
    await waitFor(() => started.length === 4, 5000, 'next send');
    expect(started[3]).toBe('critical');

    for (const name of ['info3', 'critical']) gates.get(name)!();
    await waitFor(() => started.length === 6, 5000, 'the rest');
    expect(started.slice(4)).toEqual(['info4', 'info5']);
    for (const name of ['info4', 'info5']) gates.get(name)!();
  });
});
