import type Redis from 'ioredis';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';
import { runAcceptDelivery } from '../../src/delivery/accept-delivery-script';
import { AlertKeys } from '../../src/alerts/alert-keys';
import { getAlert } from '../../src/alerts/read-alerts';
import { upsertCall } from '../../src/alerts/upsert-alerts';
import { TaskQueue } from '../../src/queue/task-queue';
import type { WebhookAlert } from '../../src/webhook/types';

function alert(fp: string, over: Partial<WebhookAlert> = {}): WebhookAlert {
  return {
    status: 'firing',
    labels: { alertname: 'DiskFull', severity: 'warning', fp },
    annotations: { summary: `disk ${fp}` },
    startsAt: '2026-11-24T13:42:14.978Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus/graph',
    fingerprint: fp,
    ...over,
  };
}

describe('runAcceptDelivery (the one accept script)', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('accept');
  });
  afterEach(() => deleteKeys(redis, prefix));
  afterAll(() => redis.quit());

  const accept = (alerts: WebhookAlert[], deliveryKey: string, over: { receiver?: string; groupKey?: string } = {}) => {
    const queue = new TaskQueue({ redis, prefix, name: 'email' });
    return runAcceptDelivery(redis, {
      enqueues: [queue.enqueueCall({ payload: { n: alerts.length }, severityRank: 1, dedupKey: deliveryKey })],
      upsert: upsertCall({
        prefix,
        alerts,
        receiver: over.receiver ?? 'ops',
        groupKey: over.groupKey ?? '{}:{alertname="DiskFull"}',
        deliveryKey,
        retentionMs: 60_000,
      }),
    });
  };

  test('a delivery with more values than one Lua unpack() holds (1,100 alerts, 8,800 record values) stores every record', async () => {
    const alerts = Array.from({ length: 1100 }, (_, i) => alert(`fp${i}`));
    const [task] = await accept(alerts, 'big-1');
    expect(task.duplicate).toBe(false);
    const keys = new AlertKeys(prefix);
    expect(await redis.zcard(keys.all)).toBe(1100);
    for (const fp of ['fp0', 'fp499', 'fp500', 'fp1099']) {
      const got = await getAlert(redis, prefix, fp);
      expect(got?.alert).toMatchObject({ fingerprint: fp, status: 'firing', annotations: { summary: `disk ${fp}` } });
      expect(got?.timeline.map((e) => e.type)).toEqual(['received', 'task-created']);
      expect(got?.timeline[1]).toMatchObject({ channel: 'email', taskId: task.id, duplicate: false });
    }
  });

  test('an alert seen again as it was gets every field that changed, and keeps the ones that did not', async () => {
    await accept([alert('a1')], 'd1');
    const first = await getAlert(redis, prefix, 'a1');
    await accept(
      [alert('a1', { annotations: { summary: 'now 99 %' }, endsAt: '2026-11-24T15:00:00.000Z', generatorURL: 'http://prometheus/2' })],
      'd2',
      { receiver: 'dba', groupKey: '{}:{team="db"}' },
    );
    const again = await getAlert(redis, prefix, 'a1');
    expect(again?.alert).toEqual({
      ...first?.alert,
      annotations: { summary: 'now 99 %' },
      endsAt: '2026-11-24T15:00:00.000Z',
      generatorURL: 'http://prometheus/2',
      receiver: 'dba',
      groupKey: '{}:{team="db"}',
      lastSeen: again?.alert.lastSeen,
    });
    expect(again?.timeline.map((e) => e.type)).toEqual(['received', 'task-created', 'received', 'task-created']);
  });
});
