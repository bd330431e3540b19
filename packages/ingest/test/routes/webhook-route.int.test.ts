import http from 'node:http';
import { bearer, goJson, loadFixtures, request, startIngest, type Fixture, type Ingest } from '../support/harness';

const fixtures = loadFixtures();
const byName = (name: string): Fixture => fixtures.find((f) => f.name === name)!;

/** What each recorded delivery must turn into, per channel: recipients, cc, severity, rank, alerts. */
const EXPECTED: Record<string, Record<string, { to: string[]; cc?: string[]; severity: string; rank: number; alerts: number } | null>> = {
  'firing-one-alert-bearer.json': {
    email: { to: ['oncall-a@example.com'], cc: ['audit@example.com'], severity: 'info', rank: 3, alerts: 1 },
    sms: null, // info is not among SMS's default severities (critical, error)
  },
  'firing-truncated-basic-auth.json': {
    email: {
      to: ['oncall-a@example.com', 'zhangsan@example.com', 'lisi@example.com'],
      cc: ['audit@example.com', 'dba-list@example.com'],
      severity: 'critical',
      rank: 0,
      alerts: 3,
    },
    sms: { to: ['+8613800000001', '+8613800000002'], severity: 'critical', rank: 0, alerts: 3 },
  },
  'mixed-resolved-and-firing.json': {
    email: { to: ['oncall-a@example.com'], cc: ['audit@example.com'], severity: 'critical', rank: 0, alerts: 2 },
    sms: null, // the critical alert is resolved (resolved SMS off by default), the firing one is a warning
  },
};

describe('POST /webhook/alertmanager', () => {
  let ingest: Ingest;
  beforeEach(async () => {
    ingest = await startIngest();
  });
  afterEach(() => ingest.close());

  const post = (f: Fixture, agent?: http.Agent) => request(ingest.url, 'POST', '/webhook/alertmanager', f.headers, goJson(f.body), agent);

  it('reads a body with a UTF-8 BOM and leading blanks, and a chunked one, as the same delivery', async () => {
    const f = byName('firing-one-alert-bearer.json');
    const headers: Record<string, string> = { ...f.headers, 'content-type': 'application/json; charset=UTF-8' };
    delete headers['content-length'];
    const first = await request(ingest.url, 'POST', '/webhook/alertmanager', headers, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(' \r\n\t'), goJson(f.body)]));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ duplicate: false, created: { email: 1 } });
    const again = await request(ingest.url, 'POST', '/webhook/alertmanager', { ...headers, 'transfer-encoding': 'chunked' }, goJson(f.body));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, deliveryKey: first.body.deliveryKey });
    const pending = await ingest.queues.get('email')!.list('pending');
    expect(pending).toHaveLength(1);
    expect(pending[0].payload.alerts.map((a) => a.fingerprint)).toEqual(f.body.alerts.map((a: { fingerprint: string }) => a.fingerprint));
  });

  it('answers every spelling express routes to the webhook alike: headers, metric, and one delivery', async () => {
    const f = byName('firing-one-alert-bearer.json');
    const paths = ['/webhook/alertmanager', '/webhook/alertmanager?from=am', '/webhook/alertmanager/', '/Webhook/AlertManager'];
    const answers = [];
    for (const path of paths) answers.push(await request(ingest.url, 'POST', path, f.headers, goJson(f.body)));
    expect(answers.map((a) => [a.status, a.body.duplicate, a.headers['x-content-type-options'], a.headers['content-type']])).toEqual(
      paths.map((_, i) => [200, i > 0, 'nosniff', 'application/json; charset=utf-8']),
    );
    expect((await request(ingest.url, 'GET', '/webhook/alertmanager', f.headers)).status).toBe(404);
    const text = await ingest.registry.getSingleMetricAsString('alertgw_ingest_request_duration_seconds');
    expect(text).toMatch(/_count\{route="\/webhook\/alertmanager",method="POST",code="200"\} 4/);
    expect(await ingest.registry.getSingleMetricAsString('alertgw_ingest_deliveries_received_total')).toMatch(/ 4$/m);
  });

  it('has the recorded deliveries to test with', () => {
    expect(fixtures.map((f) => f.name)).toEqual(Object.keys(EXPECTED));
  });

  it.each(Object.keys(EXPECTED))('accepts %s with its recorded headers and creates the expected tasks', async (name) => {
    const fixture = byName(name);
    expect(goJson(fixture.body).length).toBe(Number(fixture.headers['content-length']));
    const res = await post(fixture);
    expect(res.status).toBe(200);
    expect(res.body.duplicate).toBe(false);

    for (const [channel, want] of Object.entries(EXPECTED[name])) {
      const queue = ingest.queues.get(channel)!;
      const pending = await queue.list('pending');
      if (want === null) {
        expect(pending).toHaveLength(0);
        expect(res.body.skipped[channel]).toMatch(/no alert/);
        continue;
      }
      expect(pending).toHaveLength(1);
      const task = pending[0];
      expect(res.body.tasks[channel]).toMatchObject({ id: task.id, duplicate: false });
      expect(res.body.created[channel]).toBe(1);
      expect(task.severityRank).toBe(want.rank);
      const p = task.payload;
      expect(p.recipients.map((r) => r.address)).toEqual(want.to);
      expect(p.cc).toEqual(want.cc);
      expect(p).toMatchObject({
        channel,
        receiver: fixture.body.receiver,
        groupKey: fixture.body.groupKey,
        severity: want.severity,
        truncatedAlerts: fixture.body.truncatedAlerts,
        externalURL: fixture.body.externalURL,
        deliveryKey: res.body.deliveryKey,
      });
      expect(p.alerts).toHaveLength(want.alerts);
      expect(p.alerts[0]).toEqual(fixture.body.alerts[0]);
      // A channel carrying the whole group stores the body's own alerts array, cut from the bytes received.
      if (want.alerts === fixture.body.alerts.length) expect(p.alerts).toEqual(fixture.body.alerts);
    }

    // Every alert has its record, with a timeline naming the tasks.
    for (const alert of fixture.body.alerts) {
      const rec = await request(ingest.url, 'GET', `/api/v1/alerts/${alert.fingerprint}`, await bearer());
      expect(rec.status).toBe(200);
      expect(rec.body.alert).toMatchObject({ status: alert.status, labels: alert.labels, annotations: alert.annotations });
      expect(rec.body.timeline.map((e: { type: string }) => e.type)).toEqual([
        'received',
        ...Object.values(EXPECTED[name]).filter(Boolean).map(() => 'task-created'),
      ]);
    }
  });

  it('talks to Redis in one round trip per delivery, whatever the number of channels', async () => {
    const fixture = byName('firing-truncated-basic-auth.json');
    // Each ioredis pipeline (and each single command) is one write on the socket.
    const socket = (ingest.redis as unknown as { stream: { write: (...a: unknown[]) => boolean } }).stream;
    const write = socket.write;
    let writes = 0;
    socket.write = function (this: unknown, ...args: unknown[]) {
      writes++;
      return write.apply(this, args);
    };
    try {
      const res = await post(fixture);
      expect(res.body.created).toEqual({ email: 1, sms: 1 });
      expect(writes).toBe(1);
    } finally {
      socket.write = write;
    }
  });

  it('creates one set of tasks when the same delivery comes twice', async () => {
    const fixture = byName('firing-truncated-basic-auth.json');
    const first = await post(fixture);
    const second = await post(fixture);
    expect(first.body).toMatchObject({ duplicate: false, created: { email: 1, sms: 1 } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ duplicate: true, created: { email: 0, sms: 0 } });
    expect(second.body.tasks.email.id).toBe(first.body.tasks.email.id);
    expect((await ingest.queues.get('email')!.counts()).pending).toBe(1);
    expect((await ingest.queues.get('sms')!.counts()).pending).toBe(1);
    const rec = await request(ingest.url, 'GET', `/api/v1/alerts/${fixture.body.alerts[0].fingerprint}`, await bearer());
    expect(rec.body.timeline).toHaveLength(3);
    expect(await ingest.registry.getSingleMetricAsString('alertgw_ingest_duplicates_total')).toMatch(/channel="email"} 1/);
  });

  it('creates one set of tasks when two clients post the same delivery at once', async () => {
    const fixture = byName('firing-truncated-basic-auth.json');
    const clients = [new http.Agent({ keepAlive: false }), new http.Agent({ keepAlive: false })];
    // Several rounds, so the race has a real chance to interleave inside Redis.
    for (let round = 0; round < 5; round++) {
      const body = { ...fixture.body, groupKey: `${fixture.body.groupKey}#${round}` };
      const f = { ...fixture, body, headers: { ...fixture.headers, 'content-length': String(goJson(body).length) } };
      const answers = await Promise.all(clients.map((agent) => post(f, agent)));
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.map((a) => a.body.created.email).sort()).toEqual([0, 1]);
      expect(answers.map((a) => a.body.created.sms).sort()).toEqual([0, 1]);
    }
    expect((await ingest.queues.get('email')!.counts()).pending).toBe(5);
    expect((await ingest.queues.get('sms')!.counts()).pending).toBe(5);
    clients.forEach((c) => c.destroy());
  });

  it('creates new tasks when the group changed (an alert resolved)', async () => {
    const fixture = byName('firing-truncated-basic-auth.json');
    await post(fixture);
    const body = structuredClone(fixture.body);
    body.alerts[1].status = 'resolved';
    body.alerts[1].endsAt = '2026-11-24T13:50:00Z';
    const changed = await post({ ...fixture, body, headers: { ...fixture.headers, 'content-length': String(goJson(body).length) } });
    expect(changed.body).toMatchObject({ duplicate: false, created: { email: 1, sms: 1 } });
    expect((await ingest.queues.get('email')!.counts()).pending).toBe(2);
    const rec = await request(ingest.url, 'GET', `/api/v1/alerts/${body.alerts[1].fingerprint}`, await bearer());
    expect(rec.body.alert.status).toBe('resolved');
  });
});

describe('POST /webhook/alertmanager with bad input', () => {
  let ingest: Ingest;
  const LIMIT = 4096;
  beforeAll(async () => {
    ingest = await startIngest({ patch: (raw) => ((raw.ingest as Record<string, unknown>).bodyLimitBytes = LIMIT) });
  });
  afterAll(() => ingest.close());

  const good = () => loadFixtures().find((f) => f.name === 'firing-one-alert-bearer.json')!;
  const json = { 'content-type': 'application/json', authorization: 'Bearer test-token-123' };

  const cases: Array<[string, () => [Record<string, string>, Buffer | string], number, string, RegExp]> = [
    ['no credentials', () => [{ 'content-type': 'application/json' }, goJson(good().body)], 401, 'unauthorized', /credentials/],
    ['a wrong bearer token', () => [{ ...json, authorization: 'Bearer test-token-124' }, goJson(good().body)], 401, 'unauthorized', /credentials/],
    ['a wrong basic password', () => [{ ...json, authorization: `Basic ${Buffer.from('am:wrong').toString('base64')}` }, goJson(good().body)], 401, 'unauthorized', /credentials/],
    ['a text/plain body', () => [{ ...json, 'content-type': 'text/plain' }, goJson(good().body)], 415, 'unsupported_media_type', /application\/json, got "text\/plain"/],
    ['no content type', () => [{ authorization: json.authorization }, goJson(good().body)], 415, 'unsupported_media_type', /got none/],
    ['a body over the limit', () => [json, JSON.stringify({ ...good().body, padding: 'x'.repeat(LIMIT) })], 413, 'too_large', /4096 bytes/],
    ['malformed JSON', () => [json, '{"receiver": "ops", "alerts": ['], 400, 'malformed_json', /not valid JSON/],
    ['an empty body', () => [{ ...json, 'content-length': '0' }, ''], 400, 'malformed_json', /body is empty/],
    ['a JSON string instead of an object', () => [json, '"hello"'], 400, 'malformed_json', /not valid JSON/],
    ['blanks only', () => [json, ' \n '], 400, 'malformed_json', /not valid JSON/],
    ['a chunked body over the limit (no length declared)', () => [{ ...json, 'transfer-encoding': 'chunked' }, JSON.stringify({ ...good().body, padding: 'x'.repeat(LIMIT) })], 413, 'too_large', /4096 bytes/],
    ['a body over the limit, with charset', () => [{ ...json, 'content-type': 'application/json; charset=utf-8' }, 'x'.repeat(LIMIT + 1)], 413, 'too_large', /4096 bytes/],
  ];

  it.each(cases)('refuses %s', async (_what, make, status, error, message) => {
    const [headers, body] = make();
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', headers, body);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(res.body.message).toMatch(message);
    expect(await ingest.keys()).toEqual([]);
  });

  it('refuses a schema violation listing every problem', async () => {
    const body = structuredClone(good().body);
    body.alerts[0].status = 'burning';
    delete body.groupKey;
    body.version = '3';
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', json, JSON.stringify(body));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_schema');
    expect(res.body.message).toMatch(/not an Alertmanager webhook/);
    const paths = res.body.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['/alerts/0/status', '/version', '/groupKey']));
    expect(await ingest.keys()).toEqual([]);
  });

  it('counts rejections by reason and says why in the log, without the credentials', async () => {
    const text = await ingest.registry.getSingleMetricAsString('alertgw_ingest_deliveries_rejected_total');
    expect(text).toMatch(/reason="unauthorized"} [1-9]/);
    const lines = JSON.stringify(ingest.logs());
    expect(lines).toContain('webhook delivery rejected');
    expect(lines).not.toContain('test-token-124');
  });
});

describe('ingest without auth configured', () => {
  it('logs a loud warning at startup and accepts unauthenticated deliveries', async () => {
    const ingest = await startIngest({ patch: (raw) => delete (raw.ingest as Record<string, unknown>).auth });
    try {
      expect(ingest.logs().some((l) => l.level === 'warn' && /NO AUTH CONFIGURED/.test(String(l.message)))).toBe(true);
      const f = loadFixtures()[0];
      const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { 'content-type': 'application/json' }, goJson(f.body));
      expect(res.status).toBe(200);
    } finally {
      await ingest.close();
    }
  });
});
