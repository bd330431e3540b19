import { getAlert, Worker, type NotificationPayload, type TaskRecord } from '@alertgw/shared';
import { escalationDedupKey } from '../src/handling/escalation-task';
import { uniquePrefix, waitFor } from '@alertgw/testkit';
import { bearer, request, startIngest, TEST_ENV, type Ingest } from './support/harness';

/** Escalation after 300 ms to the "leads" group, for critical db alerts. */
const ESCALATE_AFTER_MINUTES = 0.005;

function withEscalation(raw: Record<string, unknown>): void {
  (raw.users as unknown[]).push({ name: 'boss', phone: '+8613800000009', groups: ['leads'] });
  raw.routes = [
    {
      name: 'db-team',
      matchers: ['team="db"'],
      notify: ['group:dba'],
      escalate: [{ afterMinutes: ESCALATE_AFTER_MINUTES, notify: ['group:leads'], severities: ['critical'] }],
    },
  ];
  (raw.queue as Record<string, unknown> | undefined) ?? (raw.queue = {});
  (raw.queue as Record<string, unknown>).leaseMs = 1000;
}

/** A one-alert delivery, as Alertmanager sends it. */
function delivery(fp: string, status: 'firing' | 'resolved', startsAt: string, extra: Record<string, string> = {}) {
  const labels = { alertname: 'ReplicationLag', severity: 'critical', team: 'db', instance: `db-${fp}`, ...extra };
  return {
    version: '4',
    receiver: 'gateway',
    status,
    groupKey: `{}:{instance="db-${fp}"}`,
    truncatedAlerts: 0,
    externalURL: 'http://alertmanager',
    groupLabels: { instance: `db-${fp}` },
    commonLabels: labels,
    commonAnnotations: { summary: 'replica lag 120s' },
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'replica lag 120s' },
        startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: '',
        fingerprint: fp,
      },
    ],
  };
}

describe('escalation with three ingest replicas', () => {
  let replicas: Ingest[];

  beforeAll(async () => {
    const prefix = uniquePrefix('esc');
    replicas = [];
    for (let i = 0; i < 3; i++) {
      replicas.push(await startIngest({ prefix, patch: withEscalation, handling: { pollMs: 200, escalationIdleMs: 200 } }));
    }
  });
  afterAll(async () => {
    for (const r of replicas ?? []) await r.close();
  });

  const deliver = async (replica: Ingest, body: unknown) => {
    const res = await request(replica.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
    return res.body;
  };
  const escalationTasks = async (): Promise<Array<TaskRecord<NotificationPayload>>> =>
    (await replicas[0]!.queues.get('sms')!.list('pending', { offset: 0, limit: 500 })).filter((t) => t.payload.deliveryKey.startsWith('escalation:'));
  const timeline = async (fp: string) => (await getAlert(replicas[0]!.redis, replicas[0]!.prefix, fp))!.timeline;
  // Escalation tiers are delayed tasks on the handling queue, run by every replica's handling Worker.
  const handlingCounts = () => replicas[0]!.handling!.tasks.counts();
  const idle = async () => {
    const c = await handlingCounts();
    return c.delayed + c.pending + c.active === 0;
  };
  const runAll = () => waitFor(idle, 5000, 'every replica\'s handling Worker to have run what is due');

  it('fires each escalation exactly once, after the delay, to the next tier by SMS', async () => {
    const startsAt = new Date(Date.now() - 5000).toISOString();
    const fps = Array.from({ length: 12 }, (_, i) => `e5ca1a7e000000${String(i).padStart(2, '0')}`);
    const firstSeen = Date.now();
    // Every alert reaches every replica (an HA pair of Alertmanagers, plus a retry): each schedules at most once.
    await Promise.all(fps.flatMap((fp) => replicas.map((r) => deliver(r, delivery(fp, 'firing', startsAt)))));

    const tasks = await waitFor(async () => {
      const found = await escalationTasks();
      return found.length >= fps.length && (await idle()) ? found : null;
    }, 10_000, 'every escalation to fire');
    // Give every replica one more chance to fire something twice.
    await runAll();

    const all = await escalationTasks();
    expect(all).toHaveLength(fps.length);
    expect(all.map((t) => t.payload.alerts[0]!.fingerprint).sort()).toEqual(fps);
    for (const t of tasks) {
      expect(t.createdAt).toBeGreaterThanOrEqual(firstSeen + ESCALATE_AFTER_MINUTES * 60_000 - 50);
      expect(t.payload.recipients).toEqual([{ name: 'boss', address: '+8613800000009', rules: ['escalation:db-team#1'] }]);
      expect(t.payload.alerts[0]!.annotations.summary).toBe('[escalated: not acked in 0s] replica lag 120s');
      expect(t.dedupKey).toBe(escalationDedupKey(t.payload.alerts[0]!.fingerprint, startsAt, 'db-team#1'));
    }
    for (const fp of fps) {
      const tl = await timeline(fp);
      expect(tl.filter((e) => e.type === 'escalation-scheduled')).toHaveLength(1);
      expect(tl.filter((e) => e.type === 'escalated')).toEqual([expect.objectContaining({ route: 'db-team', tier: 1, recipients: ['boss'], by: 'system' })]);
    }
    // The replicas shared the work through one delayed set; whoever fired, it was logged once per alert.
    const fired = replicas.flatMap((r) => r.logs().filter((l) => l.message === 'escalation fired'));
    expect(fired).toHaveLength(fps.length);

    // A reminder of the same firing schedules nothing new.
    await deliver(replicas[1]!, { ...delivery(fps[0]!, 'firing', startsAt), receiver: 'reminder' });
    expect((await handlingCounts()).delayed).toBe(0);
  });

  it('does not fire after an ack, nor after a resolve', async () => {
    const startsAt = new Date().toISOString();
    const acked = 'ac4ed00000000001';
    const resolved = '2e501fed00000001';
    await deliver(replicas[0]!, delivery(acked, 'firing', startsAt));
    await deliver(replicas[1]!, delivery(resolved, 'firing', startsAt));
    expect((await handlingCounts()).delayed).toBe(2);
    const due = Date.now() + ESCALATE_AFTER_MINUTES * 60_000;

    const ack = await request(replicas[2]!.url, 'POST', `/api/v1/alerts/${acked}/ack`, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, '{}');
    expect(ack.status).toBe(200);
    await deliver(replicas[2]!, delivery(resolved, 'resolved', startsAt));
    expect(await idle()).toBe(true);

    // Past the due time, every replica checks: nothing fires.
    await waitFor(() => Date.now() > due + 100, 2000, 'the escalation delay to pass');
    await runAll();
    const tasks = await escalationTasks();
    expect(tasks.filter((t) => [acked, resolved].includes(t.payload.alerts[0]!.fingerprint))).toEqual([]);
    expect((await timeline(acked)).find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'acked', by: 'carol', tiers: ['db-team#1'] });
    expect((await timeline(resolved)).find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'resolved', tiers: ['db-team#1'] });
  });

  it('a replica that dies after claiming is replaced once its lease ends, still without a second SMS', async () => {
    const startsAt = new Date().toISOString();
    const fp = 'de4d00000000a001';
    // Only this test's replica runs checks from here: the others are stopped.
    await Promise.all(replicas.map((r) => r.handling!.worker.close()));
    await deliver(replicas[0]!, delivery(fp, 'firing', startsAt));
    const tasks = replicas[1]!.handling!.tasks;
    await waitFor(async () => Number((await replicas[0]!.redis.zrange(tasks.keys.delayed, 0, 0, 'WITHSCORES'))[1]) <= Date.now(), 2000, 'the escalation to be due');

    // "Replica X" claims it (the queue's claim, with the configured 1 s lease), enqueues the SMS, then dies before completing.
    const claimed = (await tasks.claim('replica-x')).task!;
    expect(claimed.payload).toMatchObject({ kind: 'escalation', fingerprint: fp });
    const msg = delivery(fp, 'firing', startsAt);
    const payload: NotificationPayload = { ...msg, channel: 'sms', severity: 'critical', recipients: [], deliveryKey: 'crashed', receivedAt: startsAt, status: 'firing' };
    const first = await replicas[1]!.queues.get('sms')!.enqueue({ payload, severityRank: 0, dedupKey: escalationDedupKey(fp, startsAt, 'db-team#1'), dedupTtlMs: 60_000 });
    expect(first.duplicate).toBe(false);

    // The lease runs out; a surviving replica takes it over and finds the SMS already enqueued.
    await waitFor(async () => (await replicas[1]!.redis.exists(tasks.keys.lock(claimed.id))) === 0, 3000, 'the lease to end');
    const survivor = new Worker({ queue: replicas[2]!.handling!.tasks, handler: replicas[2]!.handling!.handler, blockTimeoutMs: 200 });
    survivor.start();
    try {
      await waitFor(idle, 5000, 'the surviving replica to take the escalation over');
    } finally {
      await survivor.close();
    }
    expect(await idle()).toBe(true);
    const event = (await timeline(fp)).find((e) => e.type === 'escalated');
    expect(event).toMatchObject({ taskId: first.id, duplicate: true });
    const sms = await replicas[0]!.queues.get('sms')!.list('pending', { offset: 0, limit: 500 });
    expect(sms.filter((t) => t.dedupKey === escalationDedupKey(fp, startsAt, 'db-team#1'))).toHaveLength(1);
  });

  it('a tier claimed just before an ack settles as suppressed when it runs, and the timeline shows it', async () => {
    // The handling Workers are stopped since the test above: this test runs the task itself.
    const startsAt = new Date().toISOString();
    const fp = '5c9e55ed0000a001';
    const tasks = replicas[0]!.handling!.tasks;
    await deliver(replicas[0]!, delivery(fp, 'firing', startsAt));
    await waitFor(async () => Number((await replicas[0]!.redis.zrange(tasks.keys.delayed, 0, 0, 'WITHSCORES'))[1]) <= Date.now(), 2000, 'the escalation to be due');
    const claimed = (await tasks.claim('replica-y')).task!;
    expect(claimed.payload).toMatchObject({ kind: 'escalation', fingerprint: fp });

    const ack = await request(replicas[1]!.url, 'POST', `/api/v1/alerts/${fp}/ack`, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, '{}');
    expect(ack.status).toBe(200);
    const outcome = await replicas[2]!.handling!.handler.send(claimed, ['escalation'], new AbortController().signal);
    expect(outcome.results.escalation).toMatchObject({ status: 'suppressed', message: 'cancelled' });
    expect(await tasks.ack(claimed.id, claimed.token, outcome.results)).toBe(true);

    const tl = await timeline(fp);
    expect(tl.find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'acked', tiers: ['db-team#1'] });
    expect(tl.filter((e) => e.type === 'escalation-suppressed')).toEqual([expect.objectContaining({ by: 'system', reason: 'cancelled', tier: 'db-team#1' })]);
    expect(tl.filter((e) => e.type === 'escalated')).toEqual([]);
    expect((await escalationTasks()).filter((t) => t.payload.alerts[0]!.fingerprint === fp)).toEqual([]);
  });

  it('counts the handling queue in the queue depth metric (a dead escalation task would show there)', async () => {
    const metrics = await request(replicas[0]!.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    const completed = /alertgw_queue_depth\{queue="handling",state="completed"\} (\d+)/.exec(String(metrics.body));
    // The 12 tiers of the first test ran to completion on the handling queue.
    expect(Number(completed?.[1])).toBeGreaterThanOrEqual(12);
    expect(String(metrics.body)).toContain('alertgw_queue_depth{queue="handling",state="dead"} 0');
  });

  it('a tier reaches whoever it names when it fires (the directory is read at send time, not when scheduled)', async () => {
    const startsAt = new Date().toISOString();
    const fp = '0f0e00000000a001';
    const tasks = replicas[0]!.handling!.tasks;
    await deliver(replicas[0]!, delivery(fp, 'firing', startsAt));
    // The directory changes after the alert fired: boss has a new phone.
    const put = await request(replicas[1]!.url, 'PUT', '/api/v1/users/boss', { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, JSON.stringify({ phone: '+8613800000010', groups: ['leads'] }));
    expect(put.status).toBe(200);
    await waitFor(() => replicas[2]!.handling!.directory.current().directory.user('boss')?.phone === '+8613800000010', 3000, 'the directory change to reach replica 2');
    await waitFor(async () => Number((await replicas[0]!.redis.zrange(tasks.keys.delayed, 0, 0, 'WITHSCORES'))[1]) <= Date.now(), 2000, 'the escalation to be due');
    const claimed = (await tasks.claim('replica-z')).task!;
    expect(claimed.payload).toMatchObject({ kind: 'escalation', fingerprint: fp });

    const outcome = await replicas[2]!.handling!.handler.send(claimed, ['escalation'], new AbortController().signal);
    expect(outcome.results.escalation).toMatchObject({ status: 'delivered' });
    expect(await tasks.ack(claimed.id, claimed.token, outcome.results)).toBe(true);
    const sms = (await escalationTasks()).filter((t) => t.payload.alerts[0]!.fingerprint === fp);
    expect(sms.map((t) => t.payload.recipients)).toEqual([[{ name: 'boss', address: '+8613800000010', rules: ['escalation:db-team#1'] }]]);
  });
});
