import type Redis from 'ioredis';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import { AlertKeys } from '../../src/alerts/alert-keys';
import { appendTimelines } from '../../src/alerts/append-timeline';
import { getAlert, listAlerts } from '../../src/alerts/read-alerts';
import { upsertAlerts, type UpsertAlertsInput } from '../../src/alerts/upsert-alerts';
import type { WebhookAlert } from '../../src/webhook/types';

const ZERO = '0001-01-01T00:00:00Z';

function alert(fp: string, over: Partial<WebhookAlert> = {}): WebhookAlert {
  return {
    status: 'firing',
    labels: { alertname: 'HighCPU', severity: 'critical', fp },
    annotations: { summary: `<b>${fp}</b>` },
    startsAt: '2026-11-24T13:42:14.978729533Z',
    endsAt: ZERO,
    generatorURL: '',
    fingerprint: fp,
    ...over,
  };
}

describe('alert record store', () => {
  let redis: Redis;
  let prefix: string;
  let keys: AlertKeys;
  const t0 = new Date('2026-11-24T14:00:00Z');

  const input = (alerts: WebhookAlert[], over: Partial<UpsertAlertsInput> = {}): UpsertAlertsInput => ({
    prefix,
    alerts,
    receiver: 'ops',
    groupKey: '{}:{alertname="HighCPU"}',
    deliveryKey: 'd1',
    tasks: [{ channel: 'email', taskId: '7', duplicate: false }],
    retentionMs: 60_000,
    now: t0,
    ...over,
  });

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('alerts');
    keys = new AlertKeys(prefix);
  });
  afterEach(() => deleteKeys(redis, prefix));
  afterAll(() => redis.quit());

  it('stores each alert with its timeline and indexes it', async () => {
    const res = await upsertAlerts(redis, input([alert('a1'), alert('a2', { labels: { severity: 'warning' } })]));
    expect(res).toEqual({ upserted: 2, swept: 0 });
    const got = await getAlert(redis, prefix, 'a1');
    expect(got?.alert).toMatchObject({
      fingerprint: 'a1',
      status: 'firing',
      severity: 'critical',
      labels: { alertname: 'HighCPU', severity: 'critical', fp: 'a1' },
      annotations: { summary: '<b>a1</b>' },
      endsAt: ZERO,
      receiver: 'ops',
      firstSeen: t0.toISOString(),
      lastSeen: t0.toISOString(),
    });
    expect(got?.timeline.map((e) => e.type)).toEqual(['received', 'task-created']);
    expect(got?.timeline[1]).toMatchObject({ channel: 'email', taskId: '7', duplicate: false });
    expect(await redis.pttl(keys.record('a1'))).toBe(-1);
    expect(await redis.zrange(keys.byStatus('firing'), 0, -1)).toEqual(expect.arrayContaining(['a1', 'a2']));
    expect(await redis.zrange(keys.bySeverity('warning'), 0, -1)).toEqual(['a2']);
  });

  it('adds no second set of events for the same delivery, but does for the next one', async () => {
    await upsertAlerts(redis, input([alert('a1')]));
    const later = new Date(t0.getTime() + 5000);
    await upsertAlerts(redis, input([alert('a1')], { now: later }));
    let got = await getAlert(redis, prefix, 'a1');
    expect(got?.timeline).toHaveLength(2);
    expect(got?.alert.lastSeen).toBe(later.toISOString());
    expect(got?.alert.firstSeen).toBe(t0.toISOString());
    await upsertAlerts(redis, input([alert('a1')], { deliveryKey: 'd2', now: later }));
    got = await getAlert(redis, prefix, 'a1');
    expect(got?.timeline).toHaveLength(4);
  });

  it('expires a resolved record after the retention and sweeps it from every index', async () => {
    await upsertAlerts(redis, input([alert('a1')]));
    await upsertAlerts(redis, input([alert('a1', { status: 'resolved', endsAt: '2026-11-24T14:00:00Z' })], { deliveryKey: 'd2' }));
    const ttl = await redis.pttl(keys.record('a1'));
    expect(ttl).toBeGreaterThan(50_000);
    expect(await redis.pttl(keys.timeline('a1'))).toBeGreaterThan(50_000);
    expect(await redis.zrange(keys.byStatus('firing'), 0, -1)).toEqual([]);
    expect(await redis.zrange(keys.byStatus('resolved'), 0, -1)).toEqual(['a1']);

    // A later delivery (past the retention) sweeps the index entries of the expired record.
    const res = await upsertAlerts(redis, input([alert('b1')], { deliveryKey: 'd3', now: new Date(t0.getTime() + 61_000) }));
    expect(res.swept).toBe(1);
    expect(await redis.exists(keys.record('a1'), keys.timeline('a1'))).toBe(0);
    expect(await redis.zscore(keys.all, 'a1')).toBeNull();
    expect(await redis.zscore(keys.byStatus('resolved'), 'a1')).toBeNull();
    expect(await redis.zscore(keys.bySeverity('critical'), 'a1')).toBeNull();
    expect(await redis.zscore(keys.expiry, 'a1')).toBeNull();
  });

  it('a record whose hash expired before the sweep reached it, firing again, is not swept later', async () => {
    // The sweep takes 100 expired records per delivery; Redis expires hashes by itself meanwhile.
    // 101 resolved records, retention 200 ms: equal scores, so the sweep takes them by name and `zz` comes last.
    const gone = Array.from({ length: 100 }, (_, i) => alert(`a${String(i).padStart(3, '0')}`, { status: 'resolved', endsAt: t0.toISOString() }));
    await upsertAlerts(redis, input([...gone, alert('zz', { status: 'resolved', endsAt: t0.toISOString() })], { retentionMs: 200 }));
    await waitFor(async () => (await redis.exists(keys.record('zz'))) === 0, 5_000, 'Redis to expire the resolved record');

    // zz fires again (a new startsAt): a new record, while its old index entries still wait for the sweep.
    const refire = alert('zz', { startsAt: '2026-11-24T15:00:00Z', labels: { alertname: 'HighCPU', severity: 'warning', fp: 'zz' } });
    const first = await upsertAlerts(redis, input([refire], { deliveryKey: 'refire', retentionMs: 200, now: new Date(t0.getTime() + 300) }));
    expect(first.swept).toBe(100);
    expect(await redis.zscore(keys.byStatus('resolved'), 'zz')).toBeNull();
    expect(await redis.zscore(keys.bySeverity('critical'), 'zz')).toBeNull();

    // The next delivery's sweep must leave the live firing record, its timeline and its index entries alone.
    await upsertAlerts(redis, input([alert('other')], { deliveryKey: 'next', retentionMs: 200, now: new Date(t0.getTime() + 400) }));
    const got = await getAlert(redis, prefix, 'zz');
    expect(got?.alert).toMatchObject({ status: 'firing', severity: 'warning', startsAt: '2026-11-24T15:00:00Z' });
    expect(got?.timeline.map((e) => e.type)).toContain('received');
    expect(await redis.zscore(keys.byStatus('firing'), 'zz')).not.toBeNull();
    expect(await redis.zscore(keys.bySeverity('warning'), 'zz')).not.toBeNull();
    expect(await redis.zscore(keys.expiry, 'zz')).toBeNull();
  });

  it('a record firing again is kept, and a stale firing for the same start is ignored', async () => {
    const resolved = alert('a1', { status: 'resolved', endsAt: '2026-11-24T14:00:00Z' });
    await upsertAlerts(redis, input([resolved]));
    await upsertAlerts(redis, input([alert('a1')], { deliveryKey: 'late-twin' }));
    expect((await getAlert(redis, prefix, 'a1'))?.alert.status).toBe('resolved');
    expect(await redis.pttl(keys.record('a1'))).toBeGreaterThan(0);

    await upsertAlerts(redis, input([alert('a1', { startsAt: '2026-11-24T15:00:00Z' })], { deliveryKey: 'refire' }));
    expect((await getAlert(redis, prefix, 'a1'))?.alert.status).toBe('firing');
    expect(await redis.pttl(keys.record('a1'))).toBe(-1);
    expect(await redis.zscore(keys.expiry, 'a1')).toBeNull();
  });

  it('keeps an alert seen again in its place in the indexes (score = first seen) and moves it on a status change', async () => {
    await upsertAlerts(redis, input([alert('old')], { deliveryKey: 'd1', now: t0 }));
    await upsertAlerts(redis, input([alert('new')], { deliveryKey: 'd2', now: new Date(t0.getTime() + 1000) }));
    await upsertAlerts(redis, input([alert('old')], { deliveryKey: 'd3', now: new Date(t0.getTime() + 2000) }));
    expect((await listAlerts(redis, prefix)).items.map((r) => r.fingerprint)).toEqual(['new', 'old']);
    expect(await redis.zscore(keys.byStatus('firing'), 'old')).toBe(String(t0.getTime()));

    const resolved = alert('old', { status: 'resolved', endsAt: '2026-11-24T14:00:00Z' });
    await upsertAlerts(redis, input([resolved], { deliveryKey: 'd4', now: new Date(t0.getTime() + 3000) }));
    expect(await redis.zscore(keys.byStatus('firing'), 'old')).toBeNull();
    expect(await redis.zscore(keys.byStatus('resolved'), 'old')).toBe(String(t0.getTime()));
    expect((await getAlert(redis, prefix, 'old'))?.alert.lastSeen).toBe(new Date(t0.getTime() + 3000).toISOString());
  });

  it('caps the timeline to the newest entries', async () => {
    for (let i = 0; i < 6; i++) await upsertAlerts(redis, input([alert('a1')], { deliveryKey: `d${i}`, maxTimeline: 4 }));
    const got = await getAlert(redis, prefix, 'a1', { maxTimeline: 4 });
    expect(got?.timeline).toHaveLength(4);
    expect(got?.timeline.at(-2)).toMatchObject({ type: 'received', deliveryKey: 'd5' });
  });

  it('shows exactly the newest entries while the list is trimmed only every few appends', async () => {
    // Each delivery appends 2 entries (received, task-created): the list passes 4 + 30 at the
    // 18th and is cut back to 4 then; readers see the same 4 before and after every cut.
    const lengths: number[] = [];
    for (let i = 0; i < 40; i++) {
      await upsertAlerts(redis, input([alert('a1')], { deliveryKey: `d${i}`, maxTimeline: 4 }));
      const got = await getAlert(redis, prefix, 'a1', { maxTimeline: 4 });
      const want = i === 0 ? ['d0'] : [`d${i - 1}`, `d${i}`];
      expect(got?.timeline.filter((e) => e.type === 'received').map((e) => e.deliveryKey)).toEqual(want);
      expect(got?.timeline).toHaveLength(Math.min(4, 2 * (i + 1)));
      lengths.push(await redis.llen(keys.timeline('a1')));
    }
    expect(Math.max(...lengths)).toBe(34);
    expect(lengths[17]).toBe(4);
    expect(lengths[33]).toBe(4);
    expect(lengths.at(-1)).toBe(16);
  });

  it('appendTimelines adds to an existing record', async () => {
    await upsertAlerts(redis, input([alert('a1', { status: 'resolved', endsAt: '2026-11-24T14:00:00Z' })]));
    expect(await appendTimelines(redis, prefix, ['a1'], { type: 'notification', channel: 'email', taskId: '7' })).toEqual([true]);
    const got = await getAlert(redis, prefix, 'a1');
    expect(got?.timeline.map((e) => e.type)).toEqual(['received', 'task-created', 'notification']);
    expect(await redis.pttl(keys.timeline('a1'))).toBeGreaterThan(0);
  });

  it('a notification that beats ingest\'s record write is kept, and reads back in time order', async () => {
    // The notifier finished before ingest's second round trip wrote the record.
    expect(await appendTimelines(redis, prefix, ['early'], { type: 'notification', channel: 'sms', taskId: '7' })).toEqual([false]);
    const grace = await redis.pttl(keys.timeline('early'));
    expect(grace).toBeGreaterThan(0);
    expect(grace).toBeLessThanOrEqual(10 * 60_000);
    await upsertAlerts(redis, input([alert('early')]));
    const got = await getAlert(redis, prefix, 'early');
    expect(got?.timeline.map((e) => e.type)).toEqual(['received', 'task-created', 'notification']);
    expect(await redis.pttl(keys.timeline('early'))).toBe(-1); // firing: kept like its record
  });

  it('appendTimelines appends one event to several alerts in one call, each as appendTimelines would', async () => {
    await upsertAlerts(redis, input([alert('b1'), alert('b2', { status: 'resolved', endsAt: '2026-11-24T14:00:00Z' })]));
    const event = { type: 'notification', channel: 'email', taskId: '9', at: '2026-11-24T15:00:00.000Z' };
    expect(await appendTimelines(redis, prefix, ['b1', 'b-missing', 'b2'], event)).toEqual([true, false, true]);
    for (const fp of ['b1', 'b2']) expect((await getAlert(redis, prefix, fp))?.timeline.at(-1)).toEqual(event);
    expect(await redis.pttl(keys.timeline('b1'))).toBe(-1); // firing: kept like its record
    expect(await redis.pttl(keys.timeline('b2'))).toBeGreaterThan(0); // resolved: the record's retention (60 s here)
    expect(await redis.pttl(keys.timeline('b2'))).toBeLessThanOrEqual(60_000);
    const grace = await redis.pttl(keys.timeline('b-missing'));
    expect(grace).toBeGreaterThan(0);
    expect(grace).toBeLessThanOrEqual(10 * 60_000);
    expect(await appendTimelines(redis, prefix, [], event)).toEqual([]);
  });

  it('an event for an alert that never gets a record leaves nothing behind after the grace period', async () => {
    await appendTimelines(redis, prefix, ['never'], { type: 'notification' });
    expect(await redis.exists(keys.record('never'))).toBe(0);
    expect(await redis.pttl(keys.timeline('never'))).toBeGreaterThan(0);
  });

  it('lists by status, severity and filter, paginated newest first', async () => {
    for (let i = 0; i < 7; i++) {
      const sev = i % 2 === 0 ? 'critical' : 'warning';
      const status = i < 5 ? 'firing' : 'resolved';
      await upsertAlerts(
        redis,
        input([alert(`f${i}`, { status, labels: { severity: sev, n: String(i) } })], { deliveryKey: `d${i}`, now: new Date(t0.getTime() + i) }),
      );
    }
    const all = await listAlerts(redis, prefix, { limit: 3 });
    expect(all.items.map((r) => r.fingerprint)).toEqual(['f6', 'f5', 'f4']);
    expect(all).toMatchObject({ total: 7, nextOffset: 3 });
    const last = await listAlerts(redis, prefix, { offset: 6, limit: 3 });
    expect(last.items.map((r) => r.fingerprint)).toEqual(['f0']);
    expect(last.nextOffset).toBeNull();

    const firingCritical = await listAlerts(redis, prefix, { status: 'firing', severity: 'critical', limit: 2 });
    expect(firingCritical.items.map((r) => r.fingerprint)).toEqual(['f4', 'f2']);
    expect(firingCritical.nextOffset).toBe(2);
    const rest = await listAlerts(redis, prefix, { status: 'firing', severity: 'critical', offset: 2, limit: 2 });
    expect(rest.items.map((r) => r.fingerprint)).toEqual(['f0']);
    expect(rest.nextOffset).toBeNull();

    const resolved = await listAlerts(redis, prefix, { status: 'resolved' });
    expect(resolved.items.map((r) => r.fingerprint)).toEqual(['f6', 'f5']);
    const filtered = await listAlerts(redis, prefix, { filter: (rs) => rs.map((r) => Number(r.labels.n) % 3 === 0) });
    expect(filtered.items.map((r) => r.fingerprint)).toEqual(['f6', 'f3', 'f0']);
    expect(filtered.total).toBeUndefined();
  });

  it('pages an async batch filter across read batches, counting matches before the offset', async () => {
    const n = 450; // more than two read batches of 200
    const many = Array.from({ length: n }, (_, i) => alert(`m${i}`, { labels: { n: String(i) } }));
    // One upsert per alert so firstSeen (the listing order) differs: m449 is newest.
    for (let i = 0; i < n; i++) await upsertAlerts(redis, input([many[i]!], { deliveryKey: `m${i}`, now: new Date(t0.getTime() + i) }));
    const batches: number[] = [];
    const everyFifth = async (rs: Array<{ labels: Record<string, string> }>) => {
      batches.push(rs.length);
      await new Promise((r) => setImmediate(r)); // answers later, as a worker thread would
      return rs.map((r) => Number(r.labels.n) % 5 === 0);
    };
    const expected = Array.from({ length: n }, (_, i) => n - 1 - i).filter((i) => i % 5 === 0).map((i) => `m${i}`);
    const page = await listAlerts(redis, prefix, { filter: everyFifth, offset: 35, limit: 20 });
    expect(page.items.map((r) => r.fingerprint)).toEqual(expected.slice(35, 55));
    expect(page.nextOffset).toBe(55);
    expect(Math.max(...batches)).toBeLessThanOrEqual(200);
    const tail = await listAlerts(redis, prefix, { filter: everyFifth, offset: 80, limit: 20 });
    expect(tail.items.map((r) => r.fingerprint)).toEqual(expected.slice(80));
    expect(tail.nextOffset).toBeNull();
  });
});
