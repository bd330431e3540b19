import { PassThrough } from 'node:stream';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { GatewayError } from '../../src/errors';
import { createLogger } from '../../src/log';
import { createQueueMetrics } from '../../src/metrics';
import { PartKeys } from '../../src/queue/keys';
import { newPartId, packJson } from '../../src/queue/shared-part';
import { TaskQueue } from '../../src/queue/task-queue';
import type { ChannelHandler, RecipientResult } from '../../src/queue/types';
import { startPrivateRedis, type LocatedRedis } from '../../src/redis/locate-redis';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { Worker } from '../../src/worker/worker';

type Payload = { recipients: Array<{ name: string; address: string; rules: string[] }> };
const payload = (...addresses: string[]): Payload => ({ recipients: addresses.map((address) => ({ name: address, address, rules: [] })) });
const at = () => new Date().toISOString();

describe('Worker against real Redis', () => {
  let redis: Redis;
  let prefix: string;
  const workers: Array<Worker<Payload>> = [];
  const start = (w: Worker<Payload>) => {
    workers.push(w);
    w.start();
    return w;
  };

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('w');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close(1000)));
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it("acks a task naming a shared part with the part its claim read: the part expires after the last of its tasks", async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email', retention: { completedMs: 60_000, deadMs: 120_000 } });
    const key = new PartKeys(prefix).part(newPartId());
    const sent: Array<string | null | undefined> = [];
    const handler: ChannelHandler<Payload> = {
      async send(task, pending) {
        sent.push(task.partKey);
        return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at: at() }])) };
      },
    };
    const a = await queue.enqueue({ payload: payload('a@x'), payloadJson: '{}', part: { key, value: packJson(JSON.stringify(payload('a@x'))) }, severityRank: 0 });
    const b = await queue.enqueue({ payload: payload('b@x'), payloadJson: JSON.stringify(payload('b@x')), part: { key }, severityRank: 0 });
    const c = await queue.enqueue({ payload: payload('c@x'), severityRank: 0 });
    expect(Number(await redis.hget(key, 'refs'))).toBe(2);
    start(new Worker({ queue, handler, concurrency: 4 }));
    await waitFor(async () => (await queue.counts()).completed === 3, 10_000, 'three completions');
    expect(sent.sort()).toEqual([key, key, null].sort());
    expect(Number(await redis.hget(key, 'refs'))).toBe(0);
    const partExpires = Number(await redis.call('PEXPIRETIME', key));
    for (const { id } of [a, b]) expect(partExpires).toBeGreaterThanOrEqual(Number(await redis.call('PEXPIRETIME', queue.keys.task(id))));
    expect(await redis.pttl(queue.keys.task(c.id))).toBeGreaterThan(0);
  });

  it('retries only the recipients that asked for it, then completes', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email', backoff: { baseMs: 10, maxMs: 50 } });
    const calls: string[][] = [];
    const handler: ChannelHandler<Payload> = {
      async send(_task, pending) {
        calls.push([...pending]);
        const results: Record<string, RecipientResult> = {};
        for (const a of pending) results[a] = { status: a === 'b@x' && calls.length < 3 ? 'retry' : 'delivered', at: at(), code: 'smtp-451' };
        return { results };
      },
    };
    const { id } = await queue.enqueue({ payload: payload('a@x', 'b@x', 'c@x'), severityRank: 0 });
    start(new Worker({ queue, handler }));
    await waitFor(async () => (await queue.get(id))?.status === 'completed', 10_000, 'completion');
    expect(calls).toEqual([['a@x', 'b@x', 'c@x'], ['b@x'], ['b@x']]);
    const task = (await queue.get(id))!;
    expect(Object.values(task.results).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(task.attempts).toBe(3);
  });

  it('dead-letters a permanent per-recipient failure with the others delivered', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email' });
    const handler: ChannelHandler<Payload> = {
      async send(_t, pending) {
        return { results: Object.fromEntries(pending.map((a) => [a, { status: a === 'bad@x' ? ('failed' as const) : ('delivered' as const), at: at(), code: 'smtp-550' }])) };
      },
    };
    const { id } = await queue.enqueue({ payload: payload('a@x', 'bad@x'), severityRank: 0 });
    start(new Worker({ queue, handler }));
    await waitFor(async () => (await queue.get(id))?.status === 'dead', 10_000, 'dead letter');
    expect((await queue.get(id))!.lastError).toBe('1 recipient(s) failed: smtp-550×1');
  });

  it('classifies thrown errors: permanent config errors are counted and not retried', async () => {
    const registry = new Registry();
    const metrics = createQueueMetrics(registry);
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'sms', maxAttempts: 5 });
    let sends = 0;
    const handler: ChannelHandler<Payload> = {
      async send() {
        sends++;
        throw new GatewayError('SEND_CONFIG', 'signature refused', { details: { providerCode: 'AuthFailure.SignatureFailure' } });
      },
    };
    const { id } = await queue.enqueue({ payload: payload('+8613800000000'), severityRank: 0 });
    start(new Worker({ queue, handler, metrics }));
    await waitFor(async () => (await queue.get(id))?.status === 'dead', 10_000, 'dead letter');
    expect(sends).toBe(1);
    expect((await metrics.configErrors.get()).values[0]).toMatchObject({ value: 1, labels: { queue: 'sms', code: 'AuthFailure.SignatureFailure' } });
  });

  it('logs a thrown failure once: a warning per retry, one error where it stops', async () => {
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString('utf8').split('\n').filter(Boolean)));
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email', maxAttempts: 2, backoff: { baseMs: 10, maxMs: 20 } });
    const handler: ChannelHandler<Payload> = {
      async send() {
        throw new GatewayError('SEND_TRANSIENT', 'server busy', { retryable: true, details: { providerCode: 'smtp-451' } });
      },
    };
    const { id } = await queue.enqueue({ payload: payload('a@example.com'), severityRank: 0 });
    start(new Worker({ queue, handler, logger: createLogger({ service: 'test', stream }) }));
    await waitFor(async () => (await queue.get(id))?.status === 'dead', 10_000, 'dead letter');
    await waitFor(async () => lines.some((l) => l.includes('"level":"error"')), 5_000, 'the error line');
    const about = lines.filter((l) => l.includes(`"taskId":"${id}"`)).map((l) => JSON.parse(l) as { level: string; code?: string });
    expect(about.map((l) => [l.level, l.code])).toEqual([
      ['warn', 'smtp-451'],
      ['error', 'smtp-451'],
    ]);
    expect((await queue.get(id))!.lastError).toBe('smtp-451: server busy');
  });

  it('aborts the send when the lease is lost, and the late result is refused', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email', leaseMs: 300 });
    let aborted: unknown = null;
    const handler: ChannelHandler<Payload> = {
      send: (_t, _p, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(signal.reason);
          }),
        ),
    };
    const { id } = await queue.enqueue({ payload: payload('a@x'), severityRank: 0 });
    start(new Worker({ queue, handler }));
    await waitFor(() => redis.exists(queue.keys.lock(id)), 5000, 'claim');
    await redis.set(queue.keys.lock(id), 'someone-else'); // another worker now owns it
    await waitFor(() => aborted, 5000, 'abort');
    expect((aborted as { code: string }).code).toBe('LEASE_LOST');
    expect(await redis.get(queue.keys.lock(id))).toBe('someone-else');
  });

  it('close() waits for in-flight work, and releases what does not finish within the grace period', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email' });
    const handler: ChannelHandler<Payload> = {
      send: (_t, _p, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    const { id } = await queue.enqueue({ payload: payload('a@x'), severityRank: 0 });
    const w = new Worker({ queue, handler });
    w.start();
    await waitFor(() => w.inFlight === 1, 5000, 'claim');
    await w.close(100);
    const task = (await queue.get(id))!;
    expect(task.status).toBe('pending');
    expect(task.attempts).toBe(0);
    expect(await redis.exists(queue.keys.lock(id))).toBe(0);
  });

  it('close() gives back tasks claimed ahead but never started, without counting an attempt', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email' });
    let started = 0;
    const handler: ChannelHandler<Payload> = {
      send: (_t, _p, signal) => {
        started++;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    };
    for (let i = 0; i < 6; i++) await queue.enqueue({ payload: payload(`u${i}@x`), severityRank: 0 });
    const w = new Worker({ queue, handler, concurrency: 2 });
    w.start();
    await waitFor(() => started === 2, 5000, 'two sends running');
    await w.close(100);
    const tasks = await queue.list('pending', { limit: 10 });
    expect(tasks).toHaveLength(6);
    expect(tasks.every((t) => t.attempts === 0)).toBe(true);
    expect(started).toBe(2);
    expect((await queue.counts()).active).toBe(0);
  });

  it('runs up to `concurrency` tasks at once and wakes at once on enqueue (no polling)', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'email' });
    let running = 0;
    let peak = 0;
    const handler: ChannelHandler<Payload> = {
      async send(_t, pending) {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setImmediate(r));
        await redis.ping();
        running--;
        return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at: at() }])) };
      },
    };
    start(new Worker({ queue, handler, concurrency: 4, blockTimeoutMs: 30_000 }));
    await waitFor(() => redis.exists(queue.keys.marker).then((n) => n === 0), 5000, 'worker idle');
    const t0 = Date.now();
    const pipeline = redis.pipeline();
    for (let i = 0; i < 40; i++) queue.addEnqueueToPipeline(pipeline, { payload: payload(`u${i}@x`), severityRank: 0 });
    await pipeline.exec();
    await waitFor(async () => (await queue.counts()).completed === 40, 10_000, 'all done');
    expect(Date.now() - t0).toBeLessThan(5000); // far below the 30 s block: woken by the marker
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });
});

describe('an idle worker', () => {
  let server: LocatedRedis;
  beforeAll(async () => {
    server = await startPrivateRedis(); // its own server, so INFO commandstats counts only this worker
  });
  afterAll(async () => {
    await server.stop();
  });

  it('sends at most 1 Redis command per second (counted with MONITOR)', async () => {
    const redis = new Redis(server.url);
    const queue = new TaskQueue({ redis, prefix: 'idle', name: 'email' });
    const worker = new Worker({ queue, handler: { send: async () => ({ results: {} }) } });
    const admin = new Redis(server.url);
    worker.start();
    await waitFor(() => worker['blocker'] !== null, 5000, 'worker blocking');
    // MONITOR shows what clients send; commands run inside our Lua scripts come tagged "lua".
    const monitor = await admin.monitor();
    const sent: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') sent.push(args[0]);
    });
    const windowMs = 6000;
    await new Promise((r) => setTimeout(r, windowMs)); // the measurement window itself
    monitor.disconnect();
    await worker.close();
    await Promise.all([redis.quit(), admin.quit()]);
    const total = sent.length;
    expect(total).toBeGreaterThan(0); // it does wait on Redis, not on a timer
    expect(total).toBeLessThanOrEqual(windowMs / 1000);
  });
});
