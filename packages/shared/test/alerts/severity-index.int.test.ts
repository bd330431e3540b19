import type Redis from 'ioredis';
import IORedis from 'ioredis';
import { deleteKeys, startRedisProcess, testRedis, uniquePrefix, type RedisProcess } from '@alertgw/testkit';
import { AlertKeys } from '../../src/alerts/alert-keys';
import { listAlerts } from '../../src/alerts/read-alerts';
import { MAX_INDEXED_SEVERITIES, upsertAlerts, type UpsertAlertsInput } from '../../src/alerts/upsert-alerts';
import type { WebhookAlert } from '../../src/webhook/types';

const ZERO = '0001-01-01T00:00:00Z';
const t0 = new Date('2026-11-24T14:00:00Z');
const RETENTION = 60_000;

function alert(fp: string, severity: string, status: 'firing' | 'resolved' = 'firing'): WebhookAlert {
  return {
    status,
    labels: { alertname: 'DiskFull', severity, fp },
    annotations: {},
    startsAt: '2026-11-24T13:42:14Z',
    endsAt: status === 'resolved' ? '2026-11-24T13:50:00Z' : ZERO,
    generatorURL: '',
    fingerprint: fp,
  };
}

function input(prefix: string, alerts: WebhookAlert[], over: Partial<UpsertAlertsInput> = {}): UpsertAlertsInput {
  return { prefix, alerts, receiver: 'ops', groupKey: 'g', deliveryKey: `d-${Math.random()}`, tasks: [], retentionMs: RETENTION, now: t0, ...over };
}

describe('severity indexes', () => {
  let redis: Redis;
  let prefix: string;
  let keys: AlertKeys;

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sev');
    keys = new AlertKeys(prefix);
  });
  afterEach(() => deleteKeys(redis, prefix));
  afterAll(() => redis.quit());

  it('index at most the bound, keep the rest listed, drop indexes that empty, and say when listings read records', async () => {
    const bounded = { maxIndexedSeverities: 2 };
    await upsertAlerts(redis, input(prefix, [alert('a1', 'x'), alert('a2', 'y'), alert('a3', 'z')], bounded));
    expect((await redis.smembers(keys.severities)).sort()).toEqual(['x', 'y']);
    expect(await redis.zrange(keys.severityOverflow, 0, -1)).toEqual(['a3']);

    // With an overflow, a severity listing is complete (read from records) and says it did not use an index.
    const z = await listAlerts(redis, prefix, { severity: 'z' });
    expect(z.items.map((r) => r.fingerprint)).toEqual(['a3']);
    expect(z.severityIndexed).toBe(false);
    expect((await listAlerts(redis, prefix, { severity: 'x', status: 'firing' })).items.map((r) => r.fingerprint)).toEqual(['a1']);

    // A changed severity moves the record's one entry: the old index empties and is gone.
    await upsertAlerts(redis, input(prefix, [alert('a1', 'w')], bounded));
    expect(await redis.exists(keys.bySeverity('x'))).toBe(0);
    expect((await redis.smembers(keys.severities)).sort()).toEqual(['w', 'y']);

    // Resolved and past retention: the sweep removes their entries, the overflow empties, indexes answer again.
    await upsertAlerts(redis, input(prefix, [alert('a2', 'y', 'resolved'), alert('a3', 'z', 'resolved')], bounded));
    expect(await redis.hgetall(keys.expirySeverity)).toEqual({ a2: 'y', a3: 'z' });
    const swept = await upsertAlerts(redis, input(prefix, [alert('a1', 'w')], { ...bounded, now: new Date(t0.getTime() + RETENTION + 1) }));
    expect(swept.swept).toBe(2);
    expect(await redis.smembers(keys.severities)).toEqual(['w']);
    expect(await redis.exists(keys.bySeverity('y'), keys.severityOverflow, keys.expirySeverity)).toBe(0);
    const w = await listAlerts(redis, prefix, { severity: 'w' });
    expect(w).toMatchObject({ severityIndexed: true, items: [expect.objectContaining({ fingerprint: 'a1', severity: 'w' })] });
  });

  it('an empty severity filter finds the records without one, with or without an overflow', async () => {
    const bounded = { maxIndexedSeverities: 1 };
    await upsertAlerts(redis, input(prefix, [alert('n1', ''), alert('c1', 'critical')], bounded));
    // No overflow yet: the answer must not depend on an index that records without a severity never get.
    const before = await listAlerts(redis, prefix, { severity: '' });
    expect(before.items.map((r) => r.fingerprint)).toEqual(['n1']);

    await upsertAlerts(redis, input(prefix, [alert('w1', 'warning')], bounded));
    expect(await redis.zcard(keys.severityOverflow)).toBe(1);
    const after = await listAlerts(redis, prefix, { severity: '' });
    expect(after.items.map((r) => r.fingerprint)).toEqual(['n1']);
  });

  it('a severity set left full by the older layout (indexes long emptied) gives up its dead entries', async () => {
    // The upsert script before the bound never removed a severity from idx:severities.
    await redis.sadd(keys.severities, 'old-1', 'old-2');
    // Full, and every member dead: whichever one the script looks at gives its place up.
    await upsertAlerts(redis, input(prefix, [alert('n1', 'critical')], { maxIndexedSeverities: 2 }));
    expect(await redis.zcard(keys.severityOverflow)).toBe(0);
    expect(await redis.smembers(keys.severities)).toEqual(expect.arrayContaining(['critical']));
    expect(await redis.scard(keys.severities)).toBe(2);
    const critical = await listAlerts(redis, prefix, { severity: 'critical' });
    expect(critical).toMatchObject({ severityIndexed: true, items: [expect.objectContaining({ fingerprint: 'n1' })] });
  });

  describe('cost of one ordinary delivery', () => {
    let server: RedisProcess;
    let own: Redis;

    beforeAll(async () => {
      // A private server: the slow log must record every command, which needs CONFIG SET.
      server = await startRedisProcess();
      own = new IORedis(server.url);
      await own.config('SET', 'slowlog-log-slower-than', '0');
      await own.config('SET', 'slowlog-max-len', '1024');
    });
    afterAll(async () => {
      own?.disconnect();
      await server?.stop();
    });

    /** Server-side µs of the upsert script for one delivery of 5 alerts that also sweeps one expired record. */
    const ordinaryDelivery = async (p: string, n: number, now: Date): Promise<number> => {
      // One resolved record whose retention has passed by `now`, so the delivery sweeps it.
      await upsertAlerts(own, input(p, [alert(`gone${n}`, 'critical', 'resolved')], { now: new Date(now.getTime() - RETENTION - 1) }));
      await own.slowlog('RESET');
      const res = await upsertAlerts(own, input(p, [0, 1, 2, 3, 4].map((i) => alert(`ord${n}x${i}`, 'critical')), { now }));
      expect(res.swept).toBeGreaterThanOrEqual(1);
      const log = (await own.slowlog('GET', 100)) as Array<[number, number, number, string[]]>;
      const script = log.filter((e) => /^(evalsha|eval)$/i.test(String(e[3][0])));
      expect(script).toHaveLength(1);
      return Number(script[0]![2]);
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

    it('stays flat after 10,000 distinct severities', async () => {
      const p = uniquePrefix('sevcost');
      const k = new AlertKeys(p);
      let now = t0.getTime();
      const before: number[] = [];
      for (let n = 0; n < 7; n++) before.push(await ordinaryDelivery(p, n, new Date((now += 1000))));

      // 10,000 distinct severities, each on a firing record (the flood stays while we measure).
      for (let batch = 0; batch < 20; batch++) {
        const alerts = Array.from({ length: 500 }, (_, i) => alert(`flood${batch}x${i}`, `sev-${batch * 500 + i}`));
        await upsertAlerts(own, input(p, alerts, { now: new Date(now) }));
      }
      expect(await own.scard(k.severities)).toBe(MAX_INDEXED_SEVERITIES);
      expect(await own.zcard(k.severityOverflow)).toBeGreaterThan(9_000);

      const after: number[] = [];
      for (let n = 100; n < 107; n++) after.push(await ordinaryDelivery(p, n, new Date((now += 1000))));
      // The old sweep made one ZREM per severity ever seen for each swept record: 10,000 here,
      // milliseconds. Now the swept record's one entry is found through its stored severity.
      const bound = 4 * median(before) + 500;
      process.stdout.write(`upsert script µs, median of 7: before ${median(before)}, after 10k severities ${median(after)} (bound ${bound})\n`);
      expect(median(after)).toBeLessThan(bound);
      await deleteKeys(own, p);
    }, 60_000);
  });
});
