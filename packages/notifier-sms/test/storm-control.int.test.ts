import type Redis from 'ioredis';
import { QueueKeys } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { createStormControl, type StormNotification } from '../src/storm-control';

const PHONE = '+8613800000000';
const note = (member: string, what = 'DiskFull (db-3)'): StormNotification => ({
  member,
  firing: 1,
  resolved: 0,
  severityRank: 1,
  latest: { what, alertname: what.split(' ')[0], severity: 'critical' },
});

describe('storm control (real Redis)', () => {
  let redis: Redis;
  let other: Redis;
  let prefix: string;
  beforeEach(() => {
    redis = testRedis();
    other = testRedis();
    prefix = uniquePrefix('sms-storm');
  });
  afterEach(async () => {
    await deleteKeys(redis, `{${prefix}`);
    redis.disconnect();
    other.disconnect();
  });

  const storm = (r: Redis, maxPerWindow = 5, windowMs = 60_000) =>
    createStormControl({ redis: r, keys: new QueueKeys(prefix, 'sms'), budget: { maxPerWindow, windowMs } });

  it('admits the budget, merges the rest, and keys stay in the sms hash tag', async () => {
    const s = storm(redis);
    const results = [];
    for (let i = 0; i < 8; i++) results.push((await s.admit([PHONE], note(`t${i}`))).get(PHONE)!);
    expect(results.filter((r) => r.status === 'admitted')).toHaveLength(5);
    const merged = results.filter((r) => r.status === 'merged');
    expect(merged.map((m) => m.status === 'merged' && m.count)).toEqual([1, 2, 3]);
    expect(s.keysOf(PHONE).budget.startsWith(`{${prefix}}:sms:`)).toBe(true);
  });

  it('is idempotent per task: a re-run takes no second slot and is not counted twice', async () => {
    const s = storm(redis, 1);
    expect((await s.admit([PHONE], note('a'))).get(PHONE)).toEqual({ status: 'admitted' });
    expect((await s.admit([PHONE], note('a'))).get(PHONE)).toEqual({ status: 'admitted' });
    const first = (await s.admit([PHONE], note('b'))).get(PHONE)!;
    const again = (await s.admit([PHONE], note('b'))).get(PHONE)!;
    expect(first).toMatchObject({ status: 'merged', count: 1, gen: 0 });
    expect(again).toMatchObject({ status: 'merged', count: 1, gen: 0 });
  });

  it('two connections racing 30 notifications admit exactly the budget', async () => {
    const a = storm(redis);
    const b = storm(other);
    const all = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).admit([PHONE], note(`t${i}`))));
    const statuses = all.map((m) => m.get(PHONE)!);
    expect(statuses.filter((r) => r.status === 'admitted')).toHaveLength(5);
    const counts = statuses.flatMap((r) => (r.status === 'merged' ? [r.count] : [])).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('flush waits for a free slot, then takes the digest once; new merges start the next generation', async () => {
    const s = storm(redis, 1, 300);
    await s.admit([PHONE], note('a'));
    await s.admit([PHONE], note('b', 'HighCPU (web-1)'));
    const merged = (await s.admit([PHONE], note('c', 'DiskFull (db-3)'))).get(PHONE)!;
    expect(merged).toMatchObject({ status: 'merged', gen: 0, count: 2 });
    const wait = await s.flush(PHONE, 0, 'd1');
    expect(wait.status).toBe('wait');
    if (wait.status !== 'wait') return;
    expect(wait.freeAt - wait.now).toBeGreaterThan(0);
    expect(wait.freeAt - wait.now).toBeLessThanOrEqual(300);
    // Waiting while the window is full is idempotent, so poll until the slot frees.
    const flushed = await waitFor(async () => {
      const r = await s.flush(PHONE, 0, 'd1');
      return r.status === 'flush' ? r : null;
    }, 2000, 'a free budget slot');
    expect(flushed).toMatchObject({ status: 'flush', snapshot: { gen: 0, count: 2, firing: 2, by: 'd1', latest: { what: 'DiskFull (db-3)' } } });
    // Same task again: same snapshot; another task for the same generation: nothing.
    expect(await s.flush(PHONE, 0, 'd1')).toEqual(flushed);
    expect(await s.flush(PHONE, 0, 'd2')).toEqual({ status: 'empty' });
    // The summary used the slot: the next notification opens generation 1.
    expect((await s.admit([PHONE], note('e'))).get(PHONE)).toMatchObject({ status: 'merged', gen: 1, count: 1 });
  });

  it('keeps a freed slot for the pending summary: later notifications join the digest instead of overtaking it', async () => {
    const s = storm(redis, 1, 200);
    await s.admit([PHONE], note('a'));
    expect((await s.admit([PHONE], note('b'))).get(PHONE)).toMatchObject({ status: 'merged', gen: 0 });
    // Wait, without flushing, until the window has passed: the budget key expires with it.
    await waitFor(async () => (await redis.exists(s.keysOf(PHONE).budget)) === 0, 2000, 'the window to pass');
    expect((await s.admit([PHONE], note('c'))).get(PHONE)).toMatchObject({ status: 'merged', gen: 0, count: 2 });
    expect(await s.flush(PHONE, 0, 'd1')).toMatchObject({ status: 'flush', snapshot: { count: 2 } });
  });

  it('handles many phones in one round trip, each with its own budget', async () => {
    const s = storm(redis, 1);
    const phones = ['+8613800000001', '+8613800000002', '+14155550100'];
    const first = await s.admit(phones, note('a'));
    expect([...first.values()].every((r) => r.status === 'admitted')).toBe(true);
    const second = await s.admit(phones, note('b'));
    expect([...second.values()].every((r) => r.status === 'merged')).toBe(true);
  });
});
