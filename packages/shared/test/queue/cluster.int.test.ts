import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis, { Cluster } from 'ioredis';
import { upsertCall } from '../../src/alerts/upsert-alerts';
import { getAlert } from '../../src/alerts/read-alerts';
import { runAcceptDelivery } from '../../src/delivery/accept-delivery-script';
import { TaskQueue } from '../../src/queue/task-queue';
import { answersPing, freePort, waitFor } from '@alertgw/testkit';
import { Worker } from '../../src/worker/worker';

const run = promisify(execFile);

/** A port whose cluster bus port (+10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 55_000 && !(await answersPing('127.0.0.1', port + 10_000, 200))) return port;
  }
}

describe('queue scripts on a 3-master Redis Cluster', () => {
  const nodes: ChildProcess[] = [];
  const ports: number[] = [];
  let dir: string;
  let cluster: Cluster;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-cluster-'));
    for (let i = 0; i < 3; i++) {
      const port = await clusterPort();
      ports.push(port);
      const nodeDir = path.join(dir, String(port));
      mkdirSync(nodeDir);
      nodes.push(
        spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--dir', nodeDir,
          '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
      );
    }
    for (const port of ports) await waitFor(() => answersPing('127.0.0.1', port), 10_000, `node ${port}`);
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await waitFor(async () => (await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout.includes('cluster_state:ok'), 20_000, 'cluster ok');
    }
    cluster = new Redis.Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
  }, 60_000);

  afterAll(async () => {
    await cluster?.quit();
    for (const n of nodes) n.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs enqueue, claim, extend, fail, reclaim, ack, release and replay with no CROSSSLOT error', async () => {
    // Every key of a deployment shares its hash tag {prefix}: one slot, whatever the queue.
    for (const name of ['email', 'sms']) {
      const q = new TaskQueue<{ n: number }>({ redis: cluster, prefix: 'c', name, leaseMs: 200, maxAttempts: 2 });
      const a = await q.enqueue({ payload: { n: 1 }, severityRank: 2, dedupKey: 'd1', dedupTtlMs: 10_000 });
      expect((await q.enqueue({ payload: { n: 1 }, severityRank: 2, dedupKey: 'd1', dedupTtlMs: 10_000 })).duplicate).toBe(true);
      const b = await q.enqueue({ payload: { n: 2 }, severityRank: 0 });
      const tb = (await q.claim('w')).task!;
      expect(tb.id).toBe(b.id);
      expect(await q.extend(b.id, tb.token)).toBe(true);
      expect(await q.release(b.id, tb.token)).toBe(true);
      const tb2 = (await q.claim('w')).task!;
      expect(await q.fail(b.id, tb2.token, { error: 'x', retryable: false, delayMs: 0, results: {} })).toBe('dead');
      expect(await q.replayDead()).toBe(1);
      const tb3 = (await q.claim('w')).task!;
      expect(await q.ack(b.id, tb3.token, {})).toBe(true);
      await q.claim('crashing-worker'); // takes task a and never finishes
      const ta = await waitFor(async () => (await q.claim('w')).task, 5000, 'reclaim');
      expect(ta.id).toBe(a.id);
      expect(await q.fail(a.id, ta.token, { error: 'y', retryable: true, delayMs: 10, results: {} })).toBe('dead');
      expect(await q.counts()).toMatchObject({ pending: 0, dead: 1, completed: 1 });
      expect(await q.list('dead')).toHaveLength(1);
      expect(await q.pendingByRank(4)).toEqual([0, 0, 0, 0, 0]);
    }
  });

  it('accepts a delivery (both channels, the records) in one script on the cluster, once', async () => {
    const queues = ['email', 'sms'].map((name) => new TaskQueue<Record<string, unknown>>({ redis: cluster, prefix: 'c3', name }));
    const alert = {
      status: 'firing' as const,
      labels: { alertname: 'DiskFull', severity: 'critical' },
      annotations: { summary: '磁盘满' },
      startsAt: '2026-11-28T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prom/graph',
      fingerprint: 'f1',
    };
    const now = new Date('2026-11-28T10:00:05Z');
    const accept = () =>
      runAcceptDelivery(cluster, {
        enqueues: queues.map((q) => q.enqueueCall({ payload: { channel: q.name, alerts: [alert] }, severityRank: 0, dedupKey: 'k1', dedupTtlMs: 60_000 })),
        upsert: upsertCall({ prefix: 'c3', alerts: [alert], receiver: 'ops', groupKey: 'g', deliveryKey: 'k1', retentionMs: 60_000, now }),
      });
    const first = await accept();
    expect(first.map((r) => r.duplicate)).toEqual([false, false]);
    expect((await accept()).map((r) => r.duplicate)).toEqual([true, true]);
    for (const [i, q] of queues.entries()) {
      const task = await q.get(first[i].id);
      expect(task?.payload).toEqual({ channel: q.name, alerts: [alert] });
    }
    const record = await getAlert(cluster, 'c3', 'f1');
    expect(record?.alert.labels).toEqual(alert.labels);
    expect(record?.timeline.map((e) => [e.type, (e as { channel?: string }).channel])).toEqual([
      ['received', undefined],
      ['task-created', 'email'],
      ['task-created', 'sms'],
    ]);
    expect(record?.timeline[2]).toMatchObject({ at: now.toISOString(), taskId: first[1].id, duplicate: false });
  });

  it('a worker drains a queue on the cluster, blocking on the marker', async () => {
    const q = new TaskQueue<{ recipients: Array<{ address: string }> }>({ redis: cluster, prefix: 'c2', name: 'email' });
    const worker = new Worker({
      queue: q,
      concurrency: 4,
      handler: {
        send: async (_t, pending) => ({ results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at: '' }])) }),
      },
    });
    worker.start();
    for (let i = 0; i < 50; i++) await q.enqueue({ payload: { recipients: [{ address: `u${i}@x` }] }, severityRank: i % 3 });
    await waitFor(async () => (await q.counts()).completed === 50, 15_000, 'drained');
    await worker.close();
  });
});
