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
});
