import type Redis from 'ioredis';
import { createLogger, HandlingKeys, HANDLING_QUEUE, TaskQueue, Worker, type TaskRecord } from '@alertgw/shared';
import { deleteKeys, freePort, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { createAlertmanagerClient } from '../../src/handling/alertmanager-client';
import { createHandlingHandler } from '../../src/handling/handling-handler';
import type { HandlingTask } from '../../src/handling/handling-task';
import { scheduleSilenceSweep, type SilenceSweepTaskDeps } from '../../src/handling/silence-sweep-task';

const INTERVAL_MS = 100;

/** The sweep of silenced acks is a recurring task on the handling queue, one per slot across replicas. */
describe('the silence-sweep handling task', () => {
  let redis: Redis;
  const prefix = uniquePrefix('silsweep');
  const keys = new HandlingKeys(prefix);

  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  const sweepTasks = async (queue: TaskQueue<HandlingTask>, set: string): Promise<Array<TaskRecord<HandlingTask>>> => {
    const ids = await redis.zrange(set, 0, -1);
    const all = await Promise.all(ids.map((id) => queue.get(id)));
    return all.filter((t): t is TaskRecord<HandlingTask> => t?.payload.kind === 'silence-sweep');
  };

  it('three replicas run one sweep per slot, and a failing sweep (Alertmanager away) does not end the chain', async () => {
    // An acked, silenced alert still on record: the sweep must ask Alertmanager, which cannot be reached.
    const fp = 'sweepchain0000001';
    await redis.hset(keys.alerts.record(fp), 'labels', JSON.stringify({ alertname: 'SweepChain' }), 'startsAt', '2026-01-01T00:00:00Z');
    await redis.hset(keys.acks, fp, JSON.stringify({ by: 'alice', at: '2026-01-01T00:00:01Z', startsAt: '2026-01-01T00:00:00Z', silence: { id: 'fake-silence' } }));
    const alertmanager = createAlertmanagerClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 500 });
    const logger = createLogger({ service: 'test', level: 'error' });
    const queue = new TaskQueue<HandlingTask>({ redis, prefix, name: HANDLING_QUEUE });

    const replicas = [0, 1, 2].map(() => {
      const silenceSweep: SilenceSweepTaskDeps = { redis, prefix, alertmanager, logger, tasks: queue, intervalMs: INTERVAL_MS, goneAfterMs: 0 };
      const handler = createHandlingHandler({ alertmanager, silenceSweep, logger });
      return { silenceSweep, worker: new Worker<HandlingTask>({ queue, handler, logger, blockTimeoutMs: 50 }) };
    });
    try {
      for (const r of replicas) {
        r.worker.start();
        await scheduleSilenceSweep(r.silenceSweep);
      }
      const done = await waitFor(async () => {
        const tasks = await sweepTasks(queue, queue.keys.completed);
        return tasks.length >= 5 ? tasks : null;
      }, 10_000, 'five sweeps to complete');
      const slots = done.map((t) => (t.payload as { slot: number }).slot);
      expect(new Set(slots).size).toBe(slots.length);
      for (const t of done) expect(t.results['silence-sweep']).toMatchObject({ status: 'suppressed', code: 'SWEEP_FAILED' });
    } finally {
      await Promise.all(replicas.map((r) => r.worker.close()));
    }
    // The three chains merged into one: exactly one next sweep waits.
    expect(await sweepTasks(queue, queue.keys.delayed).then(async (d) => d.length + (await sweepTasks(queue, queue.keys.pending)).length)).toBe(1);
    // Nothing was counted as missing while Alertmanager could not answer.
    expect(await redis.hexists(keys.silenceGone, fp)).toBe(0);
    expect(await redis.hexists(keys.acks, fp)).toBe(1);
  });

  it('a sweep whose replica died mid-run is rerun by another once its lease expires, and the chain goes on', async () => {
    const own = uniquePrefix('silsweep-crash');
    const logger = createLogger({ service: 'test', level: 'error' });
    const alertmanager = createAlertmanagerClient({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 500 });
    const queue = new TaskQueue<HandlingTask>({ redis, prefix: own, name: HANDLING_QUEUE, leaseMs: 300 });
    const silenceSweep: SilenceSweepTaskDeps = { redis, prefix: own, alertmanager, logger, tasks: queue, intervalMs: INTERVAL_MS, goneAfterMs: 0 };
    try {
      await scheduleSilenceSweep(silenceSweep);
      // The dead replica claims the only sweep and never settles it, nor schedules the next slot.
      const claimed = await waitFor(async () => (await queue.claim('crashed-replica')).task, 5000, 'the sweep to be due');
      const handler = createHandlingHandler({ alertmanager, silenceSweep, logger });
      const worker = new Worker<HandlingTask>({ queue, handler, logger, blockTimeoutMs: 50 });
      worker.start();
      try {
        const rerun = await waitFor(async () => {
          const t = await queue.get(claimed.id);
          return t?.status === 'completed' ? t : null;
        }, 5000, 'the abandoned sweep to be rerun');
        expect(rerun.attempts).toBeGreaterThanOrEqual(2);
        await waitFor(async () => (await sweepTasks(queue, queue.keys.completed)).length >= 3, 5000, 'later slots to run');
      } finally {
        await worker.close();
      }
    } finally {
      await deleteKeys(redis, own);
    }
  });
});
