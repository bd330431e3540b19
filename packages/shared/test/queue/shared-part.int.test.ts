import type Redis from 'ioredis';
import { PartKeys } from '../../src/queue/keys';
import { BY_QUEUE, newPartId, packJson, unpackJson } from '../../src/queue/shared-part';
import { TaskQueue } from '../../src/queue/task-queue';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';

type Payload = { channel: string; alerts: string[]; receiver: string };

// Tasks of two queues (channels) naming one stored part, as ingest's accept step makes them.
describe('shared payload parts', () => {
  let redis: Redis;
  let prefix: string;
  const completedMs = 60_000;
  const deadMs = 120_000;
  const queue = (name: string) => new TaskQueue<Payload>({ redis, prefix, name, retention: { completedMs, deadMs } });
  const part = () => ({ key: new PartKeys(prefix).part(newPartId()), value: packJson(JSON.stringify({ receiver: 'ops', alerts: ['a1', 'a2'] })) });
  const refs = async (key: string) => Number(await redis.hget(key, 'refs'));
  // When a key expires (ms epoch), -1 when it has no expiry: comparable across keys, unlike PTTL read at two moments.
  const expiresAt = async (key: string) => Number(await redis.call('PEXPIRETIME', key));

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('part');
  });
  afterEach(async () => {
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('is stored once, and every task claims its payload as the part overlaid by its own fields', async () => {
    const email = queue('email');
    const sms = queue('sms');
    const p = part();
    await email.enqueue({ payload: { channel: 'email' } as Payload, part: p, severityRank: 0 });
    // The second task names the part only: the value is not sent twice.
    await sms.enqueue({ payload: { channel: 'sms', alerts: ['a2'] } as Payload, part: { key: p.key }, severityRank: 0 });
    expect(await redis.hget(p.key, 'v')).toBe(p.value);
    expect(await refs(p.key)).toBe(2);
    expect(await redis.pttl(p.key)).toBe(-1);

    const [e] = (await email.claimMany('w', 5)).tasks;
    const [s] = (await sms.claimMany('w', 5)).tasks;
    expect(e.payload).toEqual({ receiver: 'ops', alerts: ['a1', 'a2'], channel: 'email' });
    // A field the task holds (a channel carrying fewer alerts) wins over the part's.
    expect(s.payload).toEqual({ receiver: 'ops', alerts: ['a2'], channel: 'sms' });
    expect((await email.get(e.id))!.payload).toEqual(e.payload);
    expect((await sms.list('active')).map((t) => t.payload)).toEqual([s.payload]);
  });

  it("a part may hold each queue's own fields: a task takes its queue's section, and its own payload wins", async () => {
    const email = queue('email');
    const sms = queue('sms');
    const value = packJson(JSON.stringify({ receiver: 'ops', alerts: ['a1', 'a2'], [BY_QUEUE]: { email: { channel: 'email' }, sms: { channel: 'sms', alerts: ['a2'] } } }));
    const key = new PartKeys(prefix).part(newPartId());
    await email.enqueue({ payload: {} as Payload, payloadJson: '{}', part: { key, value }, severityRank: 0 });
    await sms.enqueue({ payload: {} as Payload, payloadJson: JSON.stringify({ receiver: 'db' }), part: { key }, severityRank: 0 });
    expect((await email.claimMany('w', 1)).tasks[0].payload).toEqual({ receiver: 'ops', alerts: ['a1', 'a2'], channel: 'email' });
    expect((await sms.claimMany('w', 1)).tasks[0].payload).toEqual({ receiver: 'db', alerts: ['a2'], channel: 'sms' });
  });

  /** One delivery's part named by an email and an SMS task, both claimed. */
  const claimedPair = async () => {
    const email = queue('email');
    const sms = queue('sms');
    const p = part();
    await email.enqueue({ payload: { channel: 'email' } as Payload, part: p, severityRank: 0 });
    await sms.enqueue({ payload: { channel: 'sms' } as Payload, part: { key: p.key }, severityRank: 0 });
    const [e] = (await email.claimMany('w', 1)).tasks;
    const [s] = (await sms.claimMany('w', 1)).tasks;
    return { email, sms, p, e: e!, s: s! };
  };

  it('expires with the last task naming it, never before it', async () => {
    const { email, sms, p, e, s } = await claimedPair();

    expect(await email.ack(e.id, e.token, {})).toBe(true);
    // One task still has no expiry: neither has the part.
    expect(await refs(p.key)).toBe(1);
    expect(await redis.pttl(p.key)).toBe(-1);

    expect(await sms.ack(s.id, s.token, {})).toBe(true);
    expect(await refs(p.key)).toBe(0);
    const partTtl = await redis.pttl(p.key);
    expect(partTtl).toBeGreaterThan(completedMs - 5_000);
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(sms.keys.task(s.id)));
    // Readers of the completed tasks still get whole payloads.
    expect((await email.get(e.id))!.payload.alerts).toEqual(['a1', 'a2']);
  });

  it("a claim says which part its task names, and an ack given that key releases it as one that reads it from the hash", async () => {
    const { email, sms, p, e, s } = await claimedPair();
    expect(e.partKey).toBe(p.key);
    expect(s.partKey).toBe(p.key);

    // The worker's path: the ack passes the key its claim returned (no HGET of the task hash).
    expect(await email.ack(e.id, e.token, {}, undefined, e.partKey)).toBe(true);
    expect(await refs(p.key)).toBe(1);
    expect(await redis.pttl(p.key)).toBe(-1);
    expect(await sms.ack(s.id, s.token, {}, undefined, s.partKey)).toBe(true);
    expect(await refs(p.key)).toBe(0);
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(sms.keys.task(s.id)));
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(email.keys.task(e.id)));
  });

  it('a stale token passing the part key is refused and leaves the part held', async () => {
    const { email, p, e } = await claimedPair();
    expect(await email.ack(e.id, 'stale-token', {}, undefined, e.partKey)).toBe(false);
    expect(await refs(p.key)).toBe(2);
    expect(await redis.pttl(p.key)).toBe(-1);
    expect(await redis.hget(email.keys.task(e.id), 'status')).toBe('active');
  });

  it('a task reclaimed after its lease expired, or replayed from the dead letters, names the same part on each claim', async () => {
    const email = new TaskQueue<Payload>({ redis, prefix, name: 'email', leaseMs: 50, retention: { completedMs, deadMs } });
    const p = part();
    const { id } = await email.enqueue({ payload: { channel: 'email' } as Payload, part: p, severityRank: 0 });
    const [first] = (await email.claimMany('w1', 1)).tasks;
    await redis.del(email.keys.lock(id));
    // The lease ran out with its holder gone: the next claim takes the task back.
    await redis.zadd(email.keys.leaseDeadlines, 0, id);
    const [second] = (await email.claimMany('w2', 1)).tasks;
    expect(second.id).toBe(id);
    expect(second.partKey).toBe(p.key);
    expect(await email.ack(id, first.token, {}, undefined, first.partKey)).toBe(false);
    expect(await email.fail(id, second.token, { error: 'boom', retryable: false, delayMs: 0, results: {} })).toBe('dead');
    expect(await refs(p.key)).toBe(0);

    expect(await email.replayDead([id])).toBe(1);
    const [third] = (await email.claimMany('w3', 1)).tasks;
    expect(third.partKey).toBe(p.key);
    expect(await refs(p.key)).toBe(1);
    expect(await email.ack(id, third.token, {}, undefined, third.partKey)).toBe(true);
    expect(await refs(p.key)).toBe(0);
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(email.keys.task(id)));
  });

  it('outlives a dead letter for as long as it is kept, and a replay claims it whole again', async () => {
    const { email, sms, p, e, s } = await claimedPair();
    expect(await email.ack(e.id, e.token, {})).toBe(true);
    expect(await sms.fail(s.id, s.token, { error: 'boom', retryable: false, delayMs: 0, results: {} })).toBe('dead');

    // Kept for the dead letters' retention, the longer of the two: the part follows the longest.
    expect(await refs(p.key)).toBe(0);
    const deadTtl = await redis.pttl(sms.keys.task(s.id));
    expect(deadTtl).toBeGreaterThan(deadMs - 5_000);
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(sms.keys.task(s.id)));

    expect(await sms.replayDead([s.id])).toBe(1);
    expect(await refs(p.key)).toBe(1);
    expect(await redis.pttl(p.key)).toBe(-1);
    const [again] = (await sms.claimMany('w', 1)).tasks;
    expect(again.payload).toEqual({ receiver: 'ops', alerts: ['a1', 'a2'], channel: 'sms' });
    // The completed email task still expires on its own; the replayed one holds the part.
    expect(await sms.ack(again.id, again.token, {})).toBe(true);
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(sms.keys.task(s.id)));
    expect(await expiresAt(p.key)).toBeGreaterThanOrEqual(await expiresAt(email.keys.task(e.id)));
  });

  it('a duplicate enqueue does not hold the part', async () => {
    const email = queue('email');
    const p = part();
    await email.enqueue({ payload: { channel: 'email' } as Payload, part: p, severityRank: 0, dedupKey: 'd1' });
    const again = await email.enqueue({ payload: { channel: 'email' } as Payload, part: p, severityRank: 0, dedupKey: 'd1' });
    expect(again.duplicate).toBe(true);
    expect(await refs(p.key)).toBe(1);
  });

  it('a task whose part is gone goes to the dead letters, and the rest of its batch is sent', async () => {
    const email = queue('email');
    const lost = part();
    const kept = part();
    const a = await email.enqueue({ payload: { channel: 'email' } as Payload, part: lost, severityRank: 0 });
    await email.enqueue({ payload: { channel: 'email' } as Payload, part: kept, severityRank: 0 });
    await redis.del(lost.key);
    const { tasks } = await email.claimMany('w', 5);
    expect(tasks.map((t) => t.payload.alerts)).toEqual([['a1', 'a2']]);
    const dead = await email.get(a.id).catch((err: Error) => err);
    expect(dead).toBeInstanceOf(Error);
    expect(await redis.hget(email.keys.task(a.id), 'status')).toBe('dead');
    expect(await redis.hget(email.keys.task(a.id), 'lastError')).toMatch(/unreadable payload/);
  });

  it('refuses a part outside the queue hash tag (it would sit in another cluster slot)', () => {
    expect(() => queue('email').enqueueCall({ payload: {} as Payload, severityRank: 0, part: { key: '{other}:parts:x' } })).toThrow(RangeError);
  });

  it('refuses a part key with a space (the claim returns it inside a space-separated text)', () => {
    const key = `${new PartKeys(prefix).part(newPartId())} x`;
    expect(() => queue('email').enqueueCall({ payload: {} as Payload, severityRank: 0, part: { key } })).toThrow(RangeError);
  });

  it('packs JSON so that only packed text is unpacked', () => {
    const text = JSON.stringify({ a: 'é'.repeat(100) });
    expect(packJson(text).startsWith('~')).toBe(true);
    expect(packJson(text).length).toBeLessThan(text.length);
    expect(unpackJson(packJson(text))).toBe(text);
    expect(unpackJson(text)).toBe(text);
  });
});
