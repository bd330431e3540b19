import type Redis from 'ioredis';
import { TaskQueue } from '../../src/queue/task-queue';
import type { ChannelHandler, RecipientResult, TaskStatus } from '../../src/queue/types';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import type { TaskGate } from '../../src/worker/task-gate';
import { Worker } from '../../src/worker/worker';

type Payload = { recipients: Array<{ name: string; address: string; rules: string[] }>; verdict?: 'send' | 'suppress' | 'fail' | 'add' };

describe('a Worker with a gate', () => {
  let redis: Redis;
  const prefix = uniquePrefix('wgate');
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('sends what the gate lets through (as the gate resolved it), completes what it suppresses and dead-letters what it fails', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'sms' });
    const sent: Array<{ id: string; pending: string[] }> = [];
    const settled: Array<{ id: string; status: TaskStatus; gated?: string }> = [];
    const handler: ChannelHandler<Payload> = {
      async send(task, pending) {
        sent.push({ id: task.id, pending });
        return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered', at: new Date().toISOString() } satisfies RecipientResult])) };
      },
    };
    const gate: TaskGate<Payload> = {
      before(task) {
        const v = task.payload.verdict;
        if (!v) return undefined;
        const add = { ...task, payload: { ...task.payload, recipients: [...task.payload.recipients, { name: 'late', address: '+2', rules: ['send-time'] }] } };
        if (v === 'add') return Promise.resolve({ send: add });
        if (v === 'send') return Promise.resolve({ send: task });
        return Promise.resolve({ settle: v === 'suppress' ? 'suppressed' : 'failed', code: 'TEST', message: `gate said ${v}`, task: add });
      },
    };
    const worker = new Worker<Payload>({
      queue,
      handler,
      gate,
      blockTimeoutMs: 100,
      onSettled: async (task, s) => void settled.push({ id: task.id, status: s.status, ...(s.gated ? { gated: s.gated } : {}) }),
    });
    const one = [{ name: 'a', address: '+1', rules: ['route'] }];
    const ids: Record<string, string> = {};
    for (const v of ['plain', 'add', 'suppress', 'fail'] as const) {
      ids[v] = (await queue.enqueue({ payload: { recipients: one, ...(v === 'plain' ? {} : { verdict: v }) }, severityRank: 0 })).id;
    }
    worker.start();
    try {
      await waitFor(() => settled.length === 4, 5000, 'every task to settle');
    } finally {
      await worker.close(1000);
    }
    expect(sent.sort((x, y) => Number(x.id) - Number(y.id))).toEqual([
      { id: ids.plain, pending: ['+1'] },
      { id: ids.add, pending: ['+1', '+2'] },
    ]);
    const suppressed = await queue.get(ids.suppress!);
    expect(suppressed).toMatchObject({ status: 'completed', info: { gate: { settle: 'suppressed', code: 'TEST', message: 'gate said suppress' } } });
    expect(Object.values(suppressed!.results).map((r) => r.status)).toEqual(['suppressed', 'suppressed']);
    expect(await queue.get(ids.fail!)).toMatchObject({ status: 'dead', lastError: 'TEST: gate said fail', results: { '+1': { status: 'failed' }, '+2': { status: 'failed' } } });
    expect(settled.filter((s) => s.gated).sort((x, y) => Number(x.id) - Number(y.id))).toEqual([
      { id: ids.suppress, status: 'completed', gated: 'suppressed' },
      { id: ids.fail, status: 'dead', gated: 'failed' },
    ]);
  });
});
