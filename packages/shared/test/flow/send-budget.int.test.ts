import type Redis from 'ioredis';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { createSendBudget, type BudgetNotification } from '../../src/flow/send-budget';
import { QueueKeys } from '../../src/queue/keys';

const note = (member: string, rank = 1): BudgetNotification => ({
  member,
  firing: 1,
  resolved: 0,
  severityRank: rank,
  latest: { what: member, alertname: member, severity: 'critical' },
  brief: { what: member, rank },
});

describe('send budget with several limits (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('budget');
  });
  afterEach(async () => {
    await deleteKeys(redis, `{${prefix}`);
    redis.disconnect();
  });

  it('admits while every limit has a slot; the tighter one decides when a merged digest may go out', async () => {
    // 5 per 10 s and 2 per 300 ms, like Feishu's minute and second scaled down.
    const budget = createSendBudget({ redis, keys: new QueueKeys(prefix, 'chat'), limits: [{ max: 5, windowMs: 10_000 }, { max: 2, windowMs: 300 }] });
    const subject = 'ops-feishu';
    const first = await Promise.all(['a', 'b', 'c'].map(async (m) => (await budget.admit([subject], note(m))).get(subject)!));
    expect(first.map((r) => r.status).sort()).toEqual(['admitted', 'admitted', 'merged']);
    const merged = first.find((r) => r.status === 'merged')!;
    if (merged.status !== 'merged') return;
    expect(merged.freeAt - merged.now).toBeGreaterThan(0);
    expect(merged.freeAt - merged.now).toBeLessThanOrEqual(300);
    // While the digest waits, a new notification joins it rather than overtaking it.
    expect((await budget.admit([subject], note('d', 0))).get(subject)).toMatchObject({ status: 'merged', count: 2 });
    expect((await budget.flush(subject, 0, 'digest-1')).status).toBe('wait');
    const flushed = await waitFor(async () => {
      const r = await budget.flush(subject, 0, 'digest-1');
      return r.status === 'flush' ? r : null;
    }, 2_000, 'the per-second window to free a slot');
    expect(flushed.snapshot).toMatchObject({ count: 2, rank: 0 });
    expect(flushed.snapshot.items.map((i) => i.what).sort()).toEqual(expect.arrayContaining(['d']));
    expect(flushed.snapshot.items).toHaveLength(2);
  });

  it('the longer limit holds too: 5 per 10 s stays 5 even when the short window keeps freeing', async () => {
    const budget = createSendBudget({ redis, keys: new QueueKeys(prefix, 'chat'), limits: [{ max: 3, windowMs: 10_000 }, { max: 2, windowMs: 100 }] });
    // The scripts' clock is Redis TIME: wait on it for the short window to pass between sends.
    const redisNow = async () => {
      const [s, us] = await redis.time();
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    };
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await budget.admit(['r'], note(`t${i}`))).get('r')!.status);
      const sent = await redisNow();
      await waitFor(async () => ((await redisNow()) > sent + 110 ? true : null), 2_000, 'the short window to pass');
    }
    expect(statuses).toEqual(['admitted', 'admitted', 'admitted', 'merged', 'merged']);
  });

  it('stamp moves an existing slot to now (never earlier) and leaves a gone one gone', async () => {
    const keys = new QueueKeys(prefix, 'chat');
    const budget = createSendBudget({ redis, keys, limits: [{ max: 5, windowMs: 10_000 }] });
    await budget.admit(['r'], note('sent'));
    const taken = Number(await redis.zscore(keys.sendBudget('r'), 'sent'));
    await waitFor(async () => {
      const [sec, us] = await redis.time();
      return Number(sec) * 1000 + Math.floor(Number(us) / 1000) > taken + 20 ? true : null;
    }, 2_000, 'Redis time to move on');
    await budget.stamp('r', 'sent');
    expect(Number(await redis.zscore(keys.sendBudget('r'), 'sent'))).toBeGreaterThan(taken + 20);
    await budget.stamp('r', 'never-admitted');
    expect(await redis.zscore(keys.sendBudget('r'), 'never-admitted')).toBeNull();
  });
});
