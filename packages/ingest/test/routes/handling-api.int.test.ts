import { freePort, startAlertmanager, waitFor, type TestAlertmanager } from '@alertgw/testkit';
import { getAlert, HandlingKeys, Worker, type TimelineEvent } from '@alertgw/shared';
import { createAlertmanagerClient, type AlertmanagerClient } from '../../src/handling/alertmanager-client';
import { sweepSilences } from '../../src/handling/silence-sweep';

import { bearer, request, startIngest, TEST_ENV, type Ingest } from '../support/harness';

/**
 * Ack, unack, comment and assign against real Redis and a real Alertmanager that sends its
 * webhooks to ingest: alerts are posted to Alertmanager the way Prometheus does.
 */
describe('alert handling API with a real Alertmanager', () => {
  let ingest: Ingest;
  let am: TestAlertmanager;
  let amApi: AlertmanagerClient;
  let operator: Record<string, string>;
  let bob: Record<string, string>;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    const amPort = await freePort();
    ingest = await startIngest({
      handling: { pollMs: 200 },
      patch: (raw) => {
        raw.alertmanager = { url: `http://127.0.0.1:${amPort}`, watchIntervalMs: 200, goneAfterMs: 0 };
        (raw.ingest as Record<string, unknown>).dedupWindowMs = 0;
      },
    });
    am = await startAlertmanager({ webhookUrl: `${ingest.url}/webhook/alertmanager`, token: TEST_ENV.INGEST_TOKEN, port: amPort });
    amApi = createAlertmanagerClient({ url: am.url, timeoutMs: 2000 });
    operator = await bearer('operator', 'alice');
    bob = await bearer('operator', 'bob');
    viewer = await bearer('viewer', 'victor');
  });
  afterAll(async () => {
    await am?.stop();
    await ingest?.close();
  });

  const post = (path: string, body: unknown, headers = operator) =>
    request(ingest.url, 'POST', path, { ...headers, 'Content-Type': 'application/json' }, JSON.stringify(body));
  const record = (fp: string) => getAlert(ingest.redis, ingest.prefix, fp);
  const events = async (fp: string, type: string): Promise<TimelineEvent[]> => ((await record(fp))?.timeline ?? []).filter((e) => e.type === type);

  /**
   * Posts a firing alert to Alertmanager and waits until ingest has its record; returns the
   * fingerprint. Times are compared as instants: Alertmanager writes "…02.48Z" for "…02.480Z".
   */
  const fire = async (labels: Record<string, string>, startsAt = new Date(Date.now() - 1000).toISOString()): Promise<string> => {
    await am.post([{ labels, annotations: { summary: `${labels.alertname} firing` }, startsAt }]);
    const pending = ingest.queues.get('email')!;
    const task = await waitFor(
      async () => (await pending.list('pending', { offset: 0, limit: 500 })).find((t) => t.payload.alerts.some((a) => a.labels.alertname === labels.alertname && a.status === 'firing' && Date.parse(a.startsAt) === Date.parse(startsAt))),
      10_000,
      `ingest to receive ${labels.alertname}`,
    );
    return task.payload.alerts[0]!.fingerprint;
  };
  const resolveInAm = (labels: Record<string, string>, startsAt: string) => am.post([{ labels, startsAt, endsAt: new Date().toISOString() }]);

  it('ack with silence creates an exact-match silence naming who acked; unack expires it', async () => {
    const labels = { alertname: 'HandlingSilence', severity: 'critical', team: 'db', instance: 'db-1' };
    const fp = await fire(labels);

    const acked = await post(`/api/v1/alerts/${fp}/ack`, { comment: 'looking at the replica', silence: '2h' });
    expect(acked.status).toBe(200);
    const silenceId = acked.body.ack.silence.id as string;
    expect(acked.body.ack).toMatchObject({ by: 'alice', comment: 'looking at the replica' });

    const silence = (await amApi.getSilence(silenceId))!;
    expect(silence.status.state).toBe('active');
    expect(silence.createdBy).toBe('alice');
    expect(silence.comment).toContain('alice');
    expect(silence.comment).toContain('looking at the replica');
    expect(silence.matchers.map((m) => [m.name, m.value, m.isRegex, m.isEqual]).sort()).toEqual(
      Object.entries(labels).map(([k, v]) => [k, v, false, true]).sort(),
    );
    const hours = (Date.parse(silence.endsAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.99);
    expect(hours).toBeLessThanOrEqual(2);

    const again = await post(`/api/v1/alerts/${fp}/ack`, {}, bob);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/already acked by alice/);

    const unacked = await post(`/api/v1/alerts/${fp}/unack`, {}, bob);
    expect(unacked.status).toBe(200);
    expect(unacked.body.silenceExpired).toBe(true);
    expect((await amApi.getSilence(silenceId))!.status.state).toBe('expired');

    const timeline = (await record(fp))!.timeline;
    expect(timeline.find((e) => e.type === 'ack')).toMatchObject({ by: 'alice', comment: 'looking at the replica', silence: { id: silenceId } });
    expect(timeline.find((e) => e.type === 'unack')).toMatchObject({ by: 'bob', ackedBy: 'alice', silenceId });
    for (const e of timeline) expect(Date.parse(e.at)).not.toBeNaN();
    expect((await record(fp))!.alert.extra?.ack).toBeUndefined();
  });

  it('resolve ends an ack: a silenced alert by the watcher (Alertmanager sends no resolve), with its silence expired', async () => {
    const labels = { alertname: 'HandlingSilencedResolve', severity: 'critical', instance: 'db-2' };
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const fp = await fire(labels, startsAt);
    const acked = await post(`/api/v1/alerts/${fp}/ack`, { silence: '1h' });
    expect(acked.status).toBe(200);
    const silenceId = acked.body.ack.silence.id as string;
    expect((await record(fp))!.alert.extra?.ack).toContain('alice');

    await resolveInAm(labels, startsAt);
    const [ended] = await waitFor(() => events(fp, 'ack-ended').then((e) => (e.length ? e : null)), 10_000, 'the ack to end');
    expect(ended).toMatchObject({ by: 'system', ackedBy: 'alice', silenceId, reason: 'resolved: no longer in Alertmanager' });
    await waitFor(async () => (await amApi.getSilence(silenceId))!.status.state === 'expired', 10_000, 'the silence to be expired');
    expect(await ingest.redis.hexists(`{${ingest.prefix}}:alerts:ack:all`, fp)).toBe(0);
  });

  it('resolve ends an ack without silence through the resolved notification; the next firing notifies again', async () => {
    const labels = { alertname: 'HandlingResolve', severity: 'critical', instance: 'db-3' };
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const fp = await fire(labels, startsAt);
    expect((await post(`/api/v1/alerts/${fp}/ack`, { comment: 'known' })).status).toBe(200);
    await waitFor(() => ingest.handling!.acks.value.has(fp), 2000, 'the ack cache');

    await resolveInAm(labels, startsAt);
    const [ended] = await waitFor(() => events(fp, 'ack-ended').then((e) => (e.length ? e : null)), 10_000, 'the ack to end');
    expect(ended).toMatchObject({ reason: 'resolved', ackedBy: 'alice' });
    expect((await record(fp))!.alert.status).toBe('resolved');
    await waitFor(() => !ingest.handling!.acks.value.has(fp), 2000, 'the ack cache to drop it');

    const again = new Date().toISOString();
    expect(await fire(labels, again)).toBe(fp);
    expect((await events(fp, 'suppressed-acked')).length).toBe(0);
  });

  it('drops acked firing alerts from reminders (no task when nothing is left), records it, and still sends resolved', async () => {
    const labels = { alertname: 'HandlingReminder', severity: 'critical', instance: 'db-4' };
    const fp = await fire(labels);
    // A reminder repeats startsAt exactly as Alertmanager wrote it the first time.
    const { startsAt } = (await record(fp))!.alert;
    const other = { alertname: 'HandlingReminder', severity: 'critical', instance: 'db-5' };
    expect((await post(`/api/v1/alerts/${fp}/ack`, {})).status).toBe(200);

    const message = (alerts: Array<{ labels: Record<string, string>; fingerprint: string; status: 'firing' | 'resolved' }>) => ({
      version: '4',
      receiver: 'gateway',
      status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
      groupKey: '{}:{alertname="HandlingReminder"}',
      truncatedAlerts: 0,
      externalURL: 'http://alertmanager',
      groupLabels: { alertname: 'HandlingReminder' },
      commonLabels: { alertname: 'HandlingReminder', severity: 'critical' },
      commonAnnotations: {},
      alerts: alerts.map((a) => ({
        status: a.status,
        labels: a.labels,
        annotations: {},
        startsAt,
        endsAt: a.status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: '',
        fingerprint: a.fingerprint,
      })),
    });
    const deliver = async (body: unknown) => {
      const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
      expect(res.status).toBe(200);
      return res.body;
    };

    // A reminder of the acked alert alone: no task on any channel.
    const alone = await deliver(message([{ labels, fingerprint: fp, status: 'firing' }]));
    expect(alone.tasks).toEqual({});
    expect(alone.skipped).toEqual({ email: 'every alert it would carry is acked', sms: 'every alert it would carry is acked', chat: 'every alert it would carry is acked' });
    expect(await events(fp, 'suppressed-acked')).toEqual([expect.objectContaining({ ackedBy: 'alice', deliveryKey: alone.deliveryKey })]);

    // With an unacked alert in the same group, only that one is notified.
    const mixed = await deliver(message([{ labels, fingerprint: fp, status: 'firing' }, { labels: other, fingerprint: 'a0a0a0a0a0a0a0a0', status: 'firing' }]));
    const task = await ingest.queues.get('email')!.get(mixed.tasks.email.id);
    expect(task!.payload.alerts.map((a) => a.fingerprint)).toEqual(['a0a0a0a0a0a0a0a0']);
    expect((await events(fp, 'suppressed-acked')).length).toBe(2);

    // The resolved notification still goes, and ends the ack.
    const resolved = await deliver(message([{ labels, fingerprint: fp, status: 'resolved' }]));
    expect((await ingest.queues.get('email')!.get(resolved.tasks.email.id))!.payload.status).toBe('resolved');
    expect(await events(fp, 'ack-ended')).toEqual([expect.objectContaining({ reason: 'resolved' })]);
  });

  it('comments and assigns to directory users, each in the timeline with who and when', async () => {
    const fp = await fire({ alertname: 'HandlingNotes', severity: 'warning', instance: 'web-1' });
    expect((await post(`/api/v1/alerts/${fp}/comment`, { comment: 'disk is 97% full' })).status).toBe(200);
    expect((await post(`/api/v1/alerts/${fp}/assign`, { user: 'zhangsan' }, bob)).status).toBe(200);
    const unknown = await post(`/api/v1/alerts/${fp}/assign`, { user: 'nobody' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/user must name a user of the directory/);

    const found = (await record(fp))!;
    expect(found.alert.extra?.assignee).toBe('zhangsan');
    expect(found.timeline.find((e) => e.type === 'comment')).toMatchObject({ by: 'alice', comment: 'disk is 97% full' });
    expect(found.timeline.find((e) => e.type === 'assign')).toMatchObject({ by: 'bob', assignee: 'zhangsan' });
  });

  it('refuses bad requests with 400/404/409 and viewers with 403', async () => {
    const fp = await fire({ alertname: 'HandlingRefusals', severity: 'warning', instance: 'web-2' });
    expect((await post(`/api/v1/alerts/0000000000000000/ack`, {})).status).toBe(404);
    expect((await post(`/api/v1/alerts/${fp}/ack`, { silence: 'forever' })).body.message).toMatch(/silence must be a duration/);
    expect((await post(`/api/v1/alerts/${fp}/ack`, { silence: '31d' })).status).toBe(400);
    expect((await post(`/api/v1/alerts/${fp}/ack`, { acknowledge: true })).body.message).toMatch(/unknown field "acknowledge"/);
    expect((await post(`/api/v1/alerts/${fp}/unack`, {})).status).toBe(409);
    const forbidden = await post(`/api/v1/alerts/${fp}/ack`, {}, viewer);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ error: 'forbidden', message: 'this needs the operator role' });
    // A viewer still reads the alert.
    expect((await request(ingest.url, 'GET', `/api/v1/alerts/${fp}`, viewer)).status).toBe(200);
  });

  it('the silence sweep waits goneAfterMs before taking a missing alert as resolved, and ends nothing while Alertmanager is unreachable', async () => {
    // This test runs its own sweeps; the ingest's handling Worker, which runs the recurring sweep task, stops here.
    await ingest.handling!.worker.close();
    const logger = ingest.handling!.directory['opts'].logger!;
    const keys = new HandlingKeys(ingest.prefix);
    const labels = { alertname: 'HandlingWatcher', severity: 'critical', instance: 'db-6' };
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const fp = await fire(labels, startsAt);
    const silenceId = (await post(`/api/v1/alerts/${fp}/ack`, { silence: '1h' })).body.ack.silence.id as string;
    const sweeper = (url: string) => (now: number) =>
      sweepSilences({ redis: ingest.redis, prefix: ingest.prefix, alertmanager: createAlertmanagerClient({ url, timeoutMs: 1000 }), logger, goneAfterMs: 60_000 }, now);

    await am.post([{ labels, startsAt, endsAt: new Date().toISOString() }]);
    const down = sweeper(`http://127.0.0.1:${await freePort()}`);
    await expect(down(Date.now())).rejects.toThrow(/cannot be reached/);
    expect(await ingest.redis.hexists(keys.silenceGone, fp)).toBe(0);

    const up = sweeper(am.url);
    const firstMissing = Date.now();
    expect(await up(firstMissing)).toBe(0);
    expect(await ingest.redis.hget(keys.silenceGone, fp)).toBe(String(firstMissing));
    expect((await amApi.getSilence(silenceId))!.status.state).toBe('active');
    expect(await up(firstMissing + 60_000)).toBe(1);
    // The expiry is a task on the handling queue, run by a handling Worker with the ingest's handler.
    const worker = new Worker({ queue: ingest.handling!.tasks, handler: ingest.handling!.handler, concurrency: 1, logger });
    worker.start();
    try {
      await waitFor(async () => (await amApi.getSilence(silenceId))!.status.state === 'expired', 5000, 'the silence to be expired');
    } finally {
      await worker.close();
    }
    expect(await events(fp, 'ack-ended')).toEqual([expect.objectContaining({ reason: 'resolved: no longer in Alertmanager', silenceId })]);
    expect(await ingest.redis.hexists(keys.silenceGone, fp)).toBe(0);
  });
});
