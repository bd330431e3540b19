import { appendTimelines } from '@alertgw/shared';
import { bearer, goJson, loadFixtures, request, startIngest, type Ingest } from '../support/harness';

describe('read API', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;
  const get = (path: string) => request(ingest.url, 'GET', path, viewer);

  beforeAll(async () => {
    ingest = await startIngest();
    viewer = await bearer('viewer');
    for (const f of loadFixtures()) {
      const res = await request(ingest.url, 'POST', '/webhook/alertmanager', f.headers, goJson(f.body));
      expect(res.status).toBe(200);
    }
  });
  afterAll(() => ingest.close());

  const fps = (res: { body: { items: Array<{ fingerprint: string }> } }) => res.body.items.map((i) => i.fingerprint).sort();

  it('lists alert records filtered by status, severity and label matchers', async () => {
    const all = await get('/api/v1/alerts');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(6);
    expect(fps(await get('/api/v1/alerts?status=resolved'))).toEqual(['e5b4f258d4135583']);
    expect(fps(await get('/api/v1/alerts?severity=critical&status=firing'))).toEqual(['240b9da27838c7f6', '99ec96bfb215da20', 'b84245fc2158ef6d']);
    expect(fps(await get(`/api/v1/alerts?matcher=${encodeURIComponent('team="db"')}&matcher=${encodeURIComponent('instance=~"db-[12]"')}`))).toEqual([
      '240b9da27838c7f6',
      '99ec96bfb215da20',
    ]);
  });

  it('pages through the records', async () => {
    const first = await get('/api/v1/alerts?limit=4');
    expect(first.body.items).toHaveLength(4);
    expect(first.body.nextOffset).toBe(4);
    const second = await get('/api/v1/alerts?limit=4&offset=4');
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextOffset).toBeNull();
    expect(new Set([...fps(first), ...fps(second)]).size).toBe(6);
  });

  it('refuses bad filters with 400 and says which', async () => {
    const bad = await get('/api/v1/alerts?status=burning');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/status must be one of firing, resolved/);
    const matcher = await get(`/api/v1/alerts?matcher=${encodeURIComponent('team=~"(("')}`);
    expect(matcher.status).toBe(400);
    expect(matcher.body.message).toMatch(/bad matcher/);
    expect((await get('/api/v1/alerts?limit=-1')).status).toBe(400);
  });

  it('returns one record with its timeline, or 404', async () => {
    const one = await get('/api/v1/alerts/240b9da27838c7f6');
    expect(one.status).toBe(200);
    expect(one.body.alert.labels.owner).toBe('zhangsan');
    expect(one.headers['x-content-type-options']).toBe('nosniff');
    expect(one.body.timeline.map((e: { type: string; channel?: string }) => e.channel ?? e.type)).toEqual(['received', 'email', 'sms']);
    expect((await get('/api/v1/alerts/0000000000000000')).status).toBe(404);
  });

  it('lists tasks by channel and status, with phone numbers masked', async () => {
    const email = await get('/api/v1/tasks?channel=email');
    expect(email.status).toBe(200);
    expect(email.body).toMatchObject({ channel: 'email', status: 'pending', total: 3 });
    // Most urgent first: the two critical groups before the info one.
    expect(email.body.items.map((t: { payload: { severity: string } }) => t.payload.severity)).toEqual(['critical', 'critical', 'info']);
    const sms = await get('/api/v1/tasks?channel=sms&status=pending');
    expect(sms.body.items).toHaveLength(1);
    const text = JSON.stringify(sms.body);
    expect(text).not.toContain('+8613800000002');
    expect(sms.body.items[0].payload.recipients.map((r: { address: string }) => r.address)).toEqual(['+86138****0001', '+86138****0002']);
    expect((await get('/api/v1/tasks?channel=email&status=dead')).body.items).toEqual([]);
  });

  it('returns one task by channel-qualified id, and refuses ambiguous or bad requests', async () => {
    const list = await get('/api/v1/tasks?channel=sms');
    const id = list.body.items[0].id;
    const qualified = await get(`/api/v1/tasks/sms:${id}`);
    expect(qualified.status).toBe(200);
    expect(qualified.body.payload.channel).toBe('sms');
    expect((await get(`/api/v1/tasks/${id}?channel=sms`)).body.id).toBe(id);
    expect((await get(`/api/v1/tasks/${id}`)).status).toBe(400);
    expect((await get('/api/v1/tasks/sms:99999')).status).toBe(404);
    expect((await get('/api/v1/tasks?channel=pager')).body.message).toMatch(/unknown channel; one of email, sms/);
    expect((await get('/api/v1/tasks?channel=email&status=lost')).status).toBe(400);
  });

  it('serves health, readiness and the metrics the issue lists, without a token', async () => {
    const open = (path: string) => request(ingest.url, 'GET', path);
    expect((await open('/healthz')).body).toEqual({ status: 'ok' });
    expect((await open('/readyz')).body).toEqual({ status: 'ready' });
    const metrics = await open('/metrics');
    expect(metrics.status).toBe(200);
    for (const name of [
      'alertgw_ingest_deliveries_received_total 3',
      'alertgw_ingest_tasks_enqueued_total{channel="email",severity="critical"} 2',
      'alertgw_ingest_tasks_enqueued_total{channel="sms",severity="critical"} 1',
      'alertgw_ingest_request_duration_seconds_bucket',
      'alertgw_queue_depth{queue="email",state="pending"} 3',
      'alertgw_ingest_duplicates_total',
      'alertgw_ingest_deliveries_rejected_total',
    ]) {
      expect(metrics.body).toContain(name);
    }
    expect(metrics.body).toMatch(/route="\/webhook\/alertmanager",method="POST",code="200"/);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });

  it('masks phone numbers a viewer would see in SMS dry-run requests and in timeline events', async () => {
    const sms = ingest.queues.get('sms')!;
    const claimed = await sms.claim('test-worker');
    const numbers = claimed.task!.payload.recipients.map((r) => r.address);
    const request = { PhoneNumberSet: numbers, TemplateId: '1000001', SmsSdkAppId: '1400000000' };
    expect(await sms.ack(claimed.task!.id, claimed.task!.token, {}, { dryRun: [request], notForViewers: numbers })).toBe(true);
    const task = await get(`/api/v1/tasks/sms:${claimed.task!.id}`);
    expect(task.body.info).toEqual({ dryRun: [{ ...request, PhoneNumberSet: ['+86138****0001', '+86138****0002'] }] });
    expect(task.body.token).toBeUndefined();

    await appendTimelines(ingest.redis, ingest.prefix, ['240b9da27838c7f6'], {
      at: new Date().toISOString(),
      type: 'notification',
      channel: 'sms',
      results: { '+8613800000001': { status: 'failed', message: 'provider refused +8613800000001' } },
    });
    const record = await get('/api/v1/alerts/240b9da27838c7f6');
    const text = JSON.stringify(record.body);
    expect(text).toContain('"+86138****0001":{"status":"failed","message":"provider refused +86138****0001"}');
    expect(text).not.toMatch(/8613800000001|8613800000002/);
  });

  it('refuses the read API without a valid viewer token', async () => {
    const none = await request(ingest.url, 'GET', '/api/v1/alerts');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="alertgw"');
    expect((await request(ingest.url, 'GET', '/api/v1/tasks?channel=email', { Authorization: 'Bearer nope' })).status).toBe(401);
  });

  it('answers a task whose payload cannot be read with a logged 500, not a 404', async () => {
    const email = ingest.queues.get('email')!;
    const { id } = await email.enqueue({ payload: { channel: 'email' } as never, severityRank: 0 });
    await ingest.redis.hset(email.keys.task(id), 'payload', 'not json');
    try {
      const res = await get(`/api/v1/tasks/email:${id}`);
      expect(res.status).toBe(500);
      expect(res.body.error).toBe('internal');
      const logged = ingest.logs().find((l) => l.message === 'request failed');
      expect(logged?.err).toMatchObject({ code: 'TASK_CORRUPT' });
    } finally {
      await ingest.redis.multi().zrem(email.keys.pending, id).del(email.keys.task(id)).exec();
    }
  });
});
