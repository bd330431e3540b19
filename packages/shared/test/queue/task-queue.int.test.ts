import type Redis from 'ioredis';
import { TaskQueue } from '../../src/queue/task-queue';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';

describe('TaskQueue against real Redis', () => {
  let redis: Redis;
  let prefix: string;
  const queue = (opts: Partial<ConstructorParameters<typeof TaskQueue>[0]> = {}) =>
    new TaskQueue<{ n: number }>({ redis, prefix, name: 'email', ...opts });

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('q');
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('claims by severity first, then FIFO within a severity', async () => {
    const q = queue();
    const order: Array<[number, number]> = [[3, 1], [0, 2], [2, 3], [0, 4], [3, 5], [1, 6], [0, 7], [2, 8]];
    for (const [rank, n] of order) await q.enqueue({ payload: { n }, severityRank: rank });
    const claimed: number[] = [];
    for (let i = 0; i < order.length; i++) {
      const r = await q.claim('w');
      if (!r.task) throw new Error('expected a task');
      claimed.push(r.task.payload.n);
    }
    expect(claimed).toEqual([2, 4, 7, 6, 3, 8, 1, 5]);
    expect((await q.claim('w')).task).toBeNull();
  });

  it('keeps FIFO exact across many tasks of one severity (no float precision loss)', async () => {
    const q = queue();
    const pipeline = redis.pipeline();
    for (let n = 0; n < 500; n++) q.addEnqueueToPipeline(pipeline, { payload: { n }, severityRank: 255 });
    await pipeline.exec();
    const seen: number[] = [];
    for (let n = 0; n < 500; n++) seen.push((await q.claim('w')).task!.payload.n);
    expect(seen).toEqual([...Array(500).keys()]);
  });

  it('an idempotency key within its window returns the first task', async () => {
    const q = queue();
    const a = await q.enqueue({ payload: { n: 1 }, severityRank: 0, dedupKey: 'k1', dedupTtlMs: 60_000 });
    const b = await q.enqueue({ payload: { n: 2 }, severityRank: 0, dedupKey: 'k1', dedupTtlMs: 60_000 });
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ id: a.id, duplicate: true });
    expect((await q.counts()).pending).toBe(1);
    const c = await q.enqueue({ payload: { n: 3 }, severityRank: 0, dedupKey: 'k2', dedupTtlMs: 60_000 });
    expect(c.duplicate).toBe(false);
  });

  it('stores the task as a hash with payload, status, attempts, token and timestamps', async () => {
    const q = queue();
    const { id } = await q.enqueue({ payload: { n: 9 }, severityRank: 1 });
    const claimed = (await q.claim('worker-a')).task!;
    const hash = await redis.hgetall(q.keys.task(id));
    expect(hash).toMatchObject({ id, status: 'active', attempts: '1', token: claimed.token, owner: 'worker-a', rank: '1' });
    expect(JSON.parse(hash.payload)).toEqual({ n: 9 });
    expect(Number(hash.createdAt)).toBeGreaterThan(1.7e12);
    expect(await redis.get(q.keys.lock(id))).toBe(claimed.token);
    expect(await redis.zscore(q.keys.leaseDeadlines, id)).not.toBeNull();
  });

  /** A task claimed by 'slow', whose lease ran out and 'fast' then claimed: both claims. */
  const takenOver = async (q: TaskQueue<{ n: number }>) => {
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const stale = (await q.claim('slow')).task!;
    await waitFor(async () => (await redis.exists(q.keys.lock(id))) === 0, 5000, 'lock expiry');
    const taker = (await q.claim('fast')).task!;
    expect(taker.id).toBe(id);
    return { id, stale, taker };
  };

  it('refuses a stale worker: after its lease expired and another claimed, its ack and fail do nothing', async () => {
    const q = queue({ leaseMs: 150 });
    const { id, stale: first, taker: second } = await takenOver(q);
    expect(Number(second.token)).toBeGreaterThan(Number(first.token));
    expect(await q.ack(id, first.token, {})).toBe(false);
    expect(await q.fail(id, first.token, { error: 'x', retryable: true, delayMs: 0, results: {} })).toBe('lost');
    expect(await q.extend(id, first.token)).toBe(false);
    expect((await q.get(id))!.status).toBe('active');
    expect(await q.ack(id, second.token, {})).toBe(true);
    expect((await q.get(id))!.status).toBe('completed');
  });

  it('keeps an expired lease its holder\'s until another claim takes it: late renew, ack and fail count (no double send)', async () => {
    const q = queue({ leaseMs: 150 });
    for (let n = 0; n < 3; n++) await q.enqueue({ payload: { n }, severityRank: 0 });
    const [a, b, c] = (await q.claimMany('paused', 3)).tasks;
    await waitFor(async () => (await redis.exists(q.keys.lock(a.id), q.keys.lock(b.id), q.keys.lock(c.id))) === 0, 5000, 'lock expiry');
    // Nobody claimed meanwhile (a Redis paused past the lease lets no one): the results stand.
    expect(await q.extendMany([{ id: a.id, token: a.token }])).toEqual([true]);
    expect(await redis.get(q.keys.lock(a.id))).toBe(a.token);
    expect(await q.ack(b.id, b.token, {})).toBe(true);
    expect(await q.fail(c.id, c.token, { error: 'x', retryable: true, delayMs: 0, results: {} })).toBe('delayed');
    expect(await q.extend(a.id, 'not-the-token')).toBe(false);
    expect((await q.get(b.id))!.status).toBe('completed');
    // Once a claim reclaimed an expired lease, its old token holds nothing, even before a new claim.
    await waitFor(async () => (await redis.exists(q.keys.lock(a.id))) === 0, 5000, 'lock expiry');
    const next = await q.claimMany('other', 3);
    expect(next.tasks.map((t) => t.id).sort()).toEqual([a.id, c.id].sort());
    expect(await q.ack(a.id, a.token, {})).toBe(false);
  });

  it('renews a lease only for its holder', async () => {
    const q = queue({ leaseMs: 5000 });
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const t = (await q.claim('w')).task!;
    await redis.pexpire(q.keys.lock(id), 100);
    expect(await q.extend(id, t.token)).toBe(true);
    expect(await redis.pttl(q.keys.lock(id))).toBeGreaterThan(4000);
    expect(await q.extend(id, 'not-the-token')).toBe(false);
  });

  it('renews many leases in one call, each only for its holder', async () => {
    const q = queue({ leaseMs: 5000 });
    for (let n = 0; n < 3; n++) await q.enqueue({ payload: { n }, severityRank: 0 });
    const batch = await q.claimMany('w', 3);
    expect(batch.tasks).toHaveLength(3);
    const [a, b, c] = batch.tasks;
    for (const t of batch.tasks) await redis.pexpire(q.keys.lock(t.id), 100);
    await redis.set(q.keys.lock(b.id), 'taken-by-someone-else');
    expect(await q.extendMany([a, b, c].map((t) => ({ id: t.id, token: t.token })))).toEqual([true, false, true]);
    expect(await redis.pttl(q.keys.lock(a.id))).toBeGreaterThan(4000);
    expect(await redis.pttl(q.keys.lock(c.id))).toBeGreaterThan(4000);
    expect(await redis.get(q.keys.lock(b.id))).toBe('taken-by-someone-else');
  });

  it('acks made in the same tick go as one batch, each fenced by its own token', async () => {
    const q = queue();
    for (let n = 0; n < 3; n++) await q.enqueue({ payload: { n }, severityRank: 0 });
    const [a, b, c] = (await q.claimMany('w', 3)).tasks;
    const acks = await Promise.all([q.ack(a.id, a.token, {}), q.ack(b.id, 'stale-token', {}), q.ack(c.id, c.token, {}, { messageId: 'm' })]);
    expect(acks).toEqual([true, false, true]);
    expect((await q.get(b.id))!.status).toBe('active');
    expect((await q.get(c.id))!.info).toEqual({ messageId: 'm' });
  });

  it('backs off a retryable failure in the delayed set, then claims it again when due', async () => {
    const q = queue({ maxAttempts: 3 });
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const t1 = (await q.claim('w')).task!;
    expect(await q.fail(id, t1.token, { error: 'smtp-451', retryable: true, delayMs: 300, results: {} })).toBe('delayed');
    const task = (await q.get(id))!;
    expect(task.status).toBe('delayed');
    expect(task.lastError).toBe('smtp-451');
    const early = await q.claim('w');
    expect(early.task).toBeNull();
    expect(early.task === null && early.nextWakeInMs).toBeGreaterThan(0);
    const t2 = await waitFor(async () => (await q.claim('w')).task, 5000, 'delayed task due');
    expect(t2.id).toBe(id);
    expect(t2.attempts).toBe(2);
  });

  it('dead-letters after the maximum attempts, and replay sends it again keeping delivered recipients', async () => {
    const q = queue({ maxAttempts: 2 });
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const at = new Date().toISOString();
    const t1 = (await q.claim('w')).task!;
    expect(await q.fail(id, t1.token, { error: 'e1', retryable: true, delayMs: 0, results: {} })).toBe('delayed');
    const t2 = await waitFor(async () => (await q.claim('w')).task, 5000, 'retry');
    const results = { 'a@x': { status: 'delivered' as const, at }, 'b@x': { status: 'failed' as const, at, code: 'smtp-550' } };
    expect(await q.fail(id, t2.token, { error: 'e2', retryable: true, delayMs: 0, results })).toBe('dead');
    expect((await q.get(id))!.status).toBe('dead');
    expect(await redis.zscore(q.keys.dead, id)).not.toBeNull();
    expect((await q.list('dead')).map((t) => t.id)).toEqual([id]);

    expect(await q.replayDead()).toBe(1);
    const replayed = (await q.claim('w')).task!;
    expect(replayed.id).toBe(id);
    expect(replayed.attempts).toBe(1);
    expect(Object.keys(replayed.results)).toEqual(['a@x']);
    expect(await redis.zcard(q.keys.dead)).toBe(0);
  });

  it('non-retryable failure goes straight to dead letters', async () => {
    const q = queue({ maxAttempts: 5 });
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const t = (await q.claim('w')).task!;
    expect(await q.fail(id, t.token, { error: 'EAUTH', retryable: false, delayMs: 0, results: {} })).toBe('dead');
  });

  it('reclaims an expired lease back to pending (at-least-once), counting the stall', async () => {
    const q = queue({ leaseMs: 100 });
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    await q.claim('crashed');
    const again = await waitFor(async () => (await q.claim('rescuer')).task, 5000, 'reclaim');
    expect(again.id).toBe(id);
    expect(again.attempts).toBe(2);
    expect(await redis.hget(q.keys.task(id), 'stalls')).toBe('1');
  });

  it('expires finished task hashes after the retention and trims the completed index', async () => {
    const q = queue({ retention: { completedMs: 200, deadMs: 200 } });
    const a = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const b = await q.enqueue({ payload: { n: 2 }, severityRank: 0 });
    const ta = (await q.claim('w')).task!;
    expect(await q.ack(a.id, ta.token, {})).toBe(true);
    const tb = (await q.claim('w')).task!;
    expect(await q.fail(b.id, tb.token, { error: 'x', retryable: false, delayMs: 0, results: {} })).toBe('dead');
    expect(await redis.pttl(q.keys.task(a.id))).toBeGreaterThan(0);
    await waitFor(async () => (await redis.exists(q.keys.task(a.id), q.keys.task(b.id))) === 0, 5000, 'hash expiry');
    // The next finish trims the indexes of what expired.
    const c = await q.enqueue({ payload: { n: 3 }, severityRank: 0 });
    const tc = (await q.claim('w')).task!;
    await q.ack(c.id, tc.token, {});
    expect(await redis.zrange(q.keys.completed, 0, -1)).toEqual([c.id]);
  });

  it('release puts a task back without counting the attempt', async () => {
    const q = queue();
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    const t = (await q.claim('w')).task!;
    expect(await q.release(id, t.token)).toBe(true);
    const again = (await q.claim('w')).task!;
    expect(again.attempts).toBe(1);
  });

  it('counts pending tasks per severity rank', async () => {
    const q = queue();
    for (const rank of [0, 0, 2, 4]) await q.enqueue({ payload: { n: rank }, severityRank: rank });
    expect(await q.pendingByRank(4)).toEqual([2, 0, 1, 0, 1]);
  });

  it('delayed enqueue waits until due', async () => {
    const q = queue();
    await q.enqueue({ payload: { n: 1 }, severityRank: 0, delayMs: 200 });
    expect((await q.claim('w')).task).toBeNull();
    expect((await q.counts()).delayed).toBe(1);
    await waitFor(async () => (await q.claim('w')).task, 5000, 'delayed enqueue');
  });

  it('reads a task whose payload is not JSON as TASK_CORRUPT, not as a missing task', async () => {
    const q = queue();
    const { id } = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    await redis.hset(q.keys.task(id), 'payload', '{"n": 1');
    await expect(q.get(id)).rejects.toMatchObject({ code: 'TASK_CORRUPT', message: expect.stringContaining(`task ${id}`) });
    expect(await q.get('999999')).toBeNull();
  });

  it('dead-letters a claimed task it cannot read and still hands out the rest of the batch', async () => {
    const q = queue();
    const bad = await q.enqueue({ payload: { n: 1 }, severityRank: 0 });
    await q.enqueue({ payload: { n: 2 }, severityRank: 0 });
    await redis.hset(q.keys.task(bad.id), 'payload', 'not json');
    const batch = await q.claimMany('w', 5);
    expect(batch.tasks.map((t) => t.payload.n)).toEqual([2]);
    expect(batch.nextWakeInMs).toBe(0);
    expect(await redis.zscore(q.keys.dead, bad.id)).not.toBeNull();
    expect(await redis.hget(q.keys.task(bad.id), 'lastError')).toMatch(/unreadable payload/);
    expect(await q.counts()).toMatchObject({ pending: 0, active: 1, dead: 1 });
    // Listed without its payload, so one bad task does not make the dead letters unreadable.
    expect(await q.list('dead')).toEqual([expect.objectContaining({ id: bad.id, status: 'dead', payload: null, lastError: expect.stringMatching(/unreadable payload/) })]);
  });
});
