import { DateTime } from 'luxon';
import { DirectoryStore } from '@alertgw/shared';
import { bearer, request, startIngest, TEST_ENV, type Ingest } from '../support/harness';

const ZONE = 'Europe/Berlin';
const berlin = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toISO()!;

/** A weekly rotation with a weekday daytime layer on top. */
const dba = {
  layers: [
    { name: 'week', members: ['zhangsan', 'lisi'], rotation: 'week', start: '2026-03-02', handoverTime: '10:00', handoverWeekday: 'mon' },
    { name: 'daytime', members: ['oncall-a'], rotation: 'week', start: '2026-03-02', restrictions: [{ weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' }] },
  ],
};

describe('/api/v1/schedules and /api/v1/oncall (real ingest and Redis)', () => {
  let ingest: Ingest;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    ingest = await startIngest({
      patch: (raw) => {
        raw.schedulesTimeZone = ZONE;
      },
      handling: { pollMs: 1000, loops: false },
    });
    operator = await bearer('operator', 'olga');
    viewer = await bearer('viewer', 'victor');
  });
  afterAll(() => ingest?.close());

  const send = (method: string, path: string, body?: unknown, headers = operator) =>
    request(ingest.url, method, path, { ...headers, 'Content-Type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));

  it('puts a schedule with the default zone filled in, versioned like users; viewers read, only operators write', async () => {
    const put = await send('PUT', '/api/v1/schedules/dba', dba);
    expect(put.status).toBe(200);
    expect(put.body.schedule).toEqual({ name: 'dba', timeZone: ZONE, ...dba });
    const stored = (await new DirectoryStore(ingest.redis, ingest.prefix, ['email', 'sms']).read())!;
    expect(stored.version).toBe(put.body.version);
    expect(stored.doc.schedules).toEqual([put.body.schedule]);
    expect(stored.doc.updatedBy).toBe('olga');

    expect((await send('GET', '/api/v1/schedules', undefined, viewer)).body.items).toEqual([put.body.schedule]);
    expect((await send('GET', '/api/v1/schedules/dba', undefined, viewer)).body).toEqual(put.body.schedule);
    expect((await send('GET', '/api/v1/schedules/nope', undefined, viewer)).status).toBe(404);
    expect((await send('PUT', '/api/v1/schedules/x', dba, viewer)).status).toBe(403);
    expect((await send('GET', '/api/v1/directory', undefined, viewer)).body.schedules).toEqual([put.body.schedule]);
  });

  it('refuses bad zones, times and members with a 400 naming the schedule, and keeps the version', async () => {
    const before = (await send('GET', '/api/v1/schedules')).body.version;
    const badZone = await send('PUT', '/api/v1/schedules/bad', { ...dba, timeZone: 'Asia/Beijing' });
    expect(badZone.status).toBe(400);
    expect(badZone.body.message).toContain('schedule "bad": timeZone: "Asia/Beijing" is not an IANA time zone');
    const badTime = await send('PUT', '/api/v1/schedules/bad', { layers: [{ ...dba.layers[0], handoverTime: '9:00' }] });
    expect(badTime.status).toBe(400);
    expect(badTime.body.message).toContain('schedule "bad": layers[0].handoverTime: must match pattern');
    const badMember = await send('PUT', '/api/v1/schedules/bad', { layers: [{ ...dba.layers[0], members: ['ghost'] }] });
    expect(badMember.body.message).toContain('schedule "bad": layers[0].members[0]: unknown user "ghost"');
    const unknown = await send('PUT', '/api/v1/routes/r1', { matchers: ['team="x"'], notify: ['schedule:nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('route "r1": notify[0]: unknown schedule "nope" (not in schedules)');
    expect((await send('GET', '/api/v1/schedules')).body.version).toBe(before);
  });

  it('keeps a schedule a route names; two writers at once both land (compare-and-set)', async () => {
    expect((await send('PUT', '/api/v1/routes/web', { matchers: ['team="web"'], notify: ['schedule:dba'] })).status).toBe(200);
    const inUse = await send('DELETE', '/api/v1/schedules/dba');
    expect(inUse.status).toBe(400);
    expect(inUse.body.message).toContain('route "web": notify[0]: unknown schedule "dba"');

    const [one, two] = await Promise.all([send('PUT', '/api/v1/schedules/s1', dba), send('PUT', '/api/v1/schedules/s2', dba)]);
    expect([one.status, two.status]).toEqual([200, 200]);
    const names = (await send('GET', '/api/v1/schedules')).body.items.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['dba', 's1', 's2']));
    expect((await send('DELETE', '/api/v1/schedules/s2')).status).toBe(200);
    expect((await send('DELETE', '/api/v1/schedules/s2')).status).toBe(404);
  });

  it('answers who is on call at a time, until when, and through which layer', async () => {
    const noon = await send('GET', `/api/v1/oncall/dba?at=${encodeURIComponent(berlin('2026-03-03T12:00'))}`, undefined, viewer);
    expect(noon.status).toBe(200);
    expect(noon.body.items).toEqual([
      expect.objectContaining({ schedule: 'dba', users: ['oncall-a'], until: '2026-03-03T17:00:00.000Z', untilLocal: '2026-03-03T18:00:00.000+01:00', path: expect.objectContaining({ layer: 'daytime' }) }),
    ]);
    // A local time without an offset is read in schedulesTimeZone.
    const night = await send('GET', '/api/v1/oncall?at=2026-03-03T20:00', undefined, viewer);
    expect(night.body.at).toBe('2026-03-03T19:00:00.000Z');
    expect(night.body.items.find((i: { schedule: string }) => i.schedule === 'dba')).toMatchObject({
      users: ['zhangsan'],
      path: { source: 'layer', layer: 'week', passedOver: [{ layer: 'daytime', why: 'outside its restrictions' }] },
    });
    expect((await send('GET', '/api/v1/oncall?at=soon', undefined, viewer)).status).toBe(400);
    expect((await send('GET', '/api/v1/oncall/nope', undefined, viewer)).status).toBe(404);
  });

  it('route test shows route → schedule → layer → user at the time asked', async () => {
    const res = await send('POST', '/api/v1/routes/test', { labels: { team: 'web', severity: 'critical' }, at: berlin('2026-03-09T12:00') }, viewer);
    expect(res.status).toBe(200);
    expect(res.body.onCall).toEqual([expect.objectContaining({ rule: 'route:web', schedule: 'dba', users: ['oncall-a'], path: expect.objectContaining({ layer: 'daytime' }) })]);
    expect(res.body.channels.find((c: { channel: string }) => c.channel === 'email').recipients).toEqual(
      expect.arrayContaining([{ name: 'oncall-a', address: 'oncall-a@example.com', rules: expect.arrayContaining(['route:web → schedule:dba']) }]),
    );
  });

  it('a delivery carries the schedule as a send-time target, not as frozen recipients', async () => {
    const labels = { alertname: 'Down', team: 'web', severity: 'critical' };
    const body = {
      version: '4', receiver: 'gateway', status: 'firing', groupKey: '{}:{team="web"}', truncatedAlerts: 0, externalURL: '', groupLabels: {}, commonLabels: labels, commonAnnotations: {},
      alerts: [{ status: 'firing', labels, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '5c4ed01e00000001' }],
    };
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
    const task = (await ingest.queues.get('email')!.get(res.body.tasks.email.id))!;
    expect(task.payload.sendTimeTargets).toEqual([{ target: 'schedule:dba', rule: 'route:web' }]);
    expect(task.payload.recipients.map((r) => r.rules)).not.toContainEqual(['route:web']);
  });
});
