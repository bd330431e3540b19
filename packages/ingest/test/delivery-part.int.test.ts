import { goJson, loadFixtures, request, startIngest, type Ingest } from './support/harness';

// Accepting a delivery stores its alerts once: every channel's task names one shared part, and a
// repeated delivery (Alertmanager retry, HA twin) stores nothing more.
describe('a delivery stores its alerts once', () => {
  let ingest: Ingest;
  beforeEach(async () => {
    ingest = await startIngest();
  });
  afterEach(() => ingest.close());

  // Three alerts, critical: a task on both channels.
  const fixture = loadFixtures().find((f) => f.name === 'firing-truncated-basic-auth.json')!;
  const post = () => request(ingest.url, 'POST', '/webhook/alertmanager', fixture.headers, goJson(fixture.body));
  const partKeys = async () => (await ingest.keys()).filter((k) => k.startsWith(`{${ingest.prefix}}:parts:`));

  it('both tasks name one part, claimed whole, and stored in fewer bytes than the body', async () => {
    const res = await post();
    expect(res.status).toBe(200);
    const [part] = await partKeys();
    expect(await partKeys()).toHaveLength(1);
    expect(await ingest.redis.hget(part, 'refs')).toBe('2');

    let stored = await ingest.redis.hstrlen(part, 'v');
    for (const channel of ['email', 'sms']) {
      const queue = ingest.queues.get(channel)!;
      const id = res.body.tasks[channel].id as string;
      expect(await ingest.redis.hget(queue.keys.task(id), 'part')).toBe(part);
      stored += await ingest.redis.hstrlen(queue.keys.task(id), 'payload');
      const [task] = (await queue.claimMany('test', 1)).tasks;
      // The claimed payload is the whole notification, as if each task held its own copy.
      expect(task.payload.alerts).toEqual(fixture.body.alerts);
      const body = fixture.body as { receiver: string; groupKey: string; commonLabels: Record<string, string> };
      expect(task.payload).toMatchObject({ channel, receiver: body.receiver, groupKey: body.groupKey, commonLabels: body.commonLabels, deliveryKey: res.body.deliveryKey });
    }
    expect(stored).toBeLessThan(goJson(fixture.body).length);
  });

  it('a repeated delivery adds no part and holds the first one no longer', async () => {
    expect((await post()).status).toBe(200);
    const again = await post();
    expect(again.body.duplicate).toBe(true);
    const parts = await partKeys();
    expect(parts).toHaveLength(1);
    expect(await ingest.redis.hget(parts[0], 'refs')).toBe('2');
  });

  // SMS carries the critical alerts only: its section of the part holds them as the bytes that
  // came in (not serialized again), whatever their spacing, escapes and CJK text.
  it.each([
    ['as Alertmanager writes it', (body: unknown) => goJson(body)],
    ['pretty-printed', (body: unknown) => Buffer.from(JSON.stringify(body, null, 2))],
  ])('a channel carrying some of the alerts claims exactly those (%s)', async (_name, encode) => {
    const body = structuredClone(fixture.body) as { groupKey: string; alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }> };
    body.groupKey = `${body.groupKey}-subset-${_name}`;
    body.alerts[0].annotations.summary = '磁盘 <b>"满"</b> \\ 🔥';
    body.alerts[1].labels.severity = 'warning';
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { 'content-type': 'application/json', authorization: 'Bearer test-token-123' }, encode(body));
    expect(res.status).toBe(200);
    const claim = async (channel: string) => (await ingest.queues.get(channel)!.claimMany('test', 1)).tasks[0].payload;
    expect((await claim('email')).alerts).toEqual(body.alerts);
    const sms = await claim('sms');
    expect(sms.alerts).toEqual(body.alerts.filter((a) => a.labels.severity === 'critical'));
    expect(sms.alerts).toHaveLength(body.alerts.length - 1);
    // Members in the same order as when each section was serialized whole (the alerts keep the part's place).
    expect(Object.keys(sms)).toEqual([
      ...['receiver', 'groupKey', 'externalURL', 'groupLabels', 'commonLabels', 'commonAnnotations', 'truncatedAlerts', 'alerts'],
      ...['channel', 'status', 'severity', 'recipients', 'deliveryKey', 'receivedAt'],
    ]);
  });
});

