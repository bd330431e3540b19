import { getAlert, type NotificationPayload, type TaskRecord } from '@alertgw/shared';
import { escalationDedupKey } from '../src/handling/escalation-tier-task';
import { uniquePrefix, waitFor } from '@alertgw/testkit';
import { startChannelReplica, type ChannelReplica, type Sent } from './support/channel-replica';
import { claimEscalation, delivery, ESCALATE_AFTER_MINUTES, firstDueAt, isEscalation, withEscalation } from './support/escalation-fixture';
import { bearer, request, startIngest, TEST_ENV, type Ingest } from './support/harness';

describe('escalation with three ingest replicas', () => {
  let replicas: Ingest[];
  // Escalation tiers are delayed SMS tasks, sent by every notifier-sms replica's Worker.
  let notifiers: ChannelReplica[];

  beforeAll(async () => {
    const prefix = uniquePrefix('esc');
    replicas = [];
    for (let i = 0; i < 3; i++) {
      replicas.push(await startIngest({ prefix, patch: withEscalation, handling: { pollMs: 200, escalationIdleMs: 200 } }));
    }
    notifiers = replicas.map((r) => startChannelReplica(r));
  });
  afterAll(async () => {
    for (const n of notifiers ?? []) await n.close();
    for (const r of replicas ?? []) await r.close();
  });

  const deliver = async (replica: Ingest, body: unknown) => {
    const res = await request(replica.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Every escalation SMS sent so far, by whichever notifier replica (including stopped ones). */
  const escalationTasks = (): Sent[] => notifiers.flatMap((n) => n.sent).filter((s) => isEscalation(s.task));
  const timeline = async (fp: string) => (await getAlert(replicas[0]!.redis, replicas[0]!.prefix, fp))!.timeline;
  const sms = () => notifiers[0]!.queue;
  /** Escalation SMS tasks not settled yet, in one state. */
  const waiting = async (state: 'delayed' | 'pending' | 'active'): Promise<Array<TaskRecord<NotificationPayload>>> =>
    (await sms().list(state, { offset: 0, limit: 500 })).filter(isEscalation);
  const idle = async () => (await waiting('delayed')).length + (await waiting('pending')).length + (await waiting('active')).length === 0;
  const runAll = () => waitFor(idle, 5000, 'every notifier replica\'s Worker to have run what is due');
  const firstDue = () => firstDueAt(sms());

  it('fires each escalation exactly once, after the delay, to the next tier by SMS', async () => {
    const startsAt = new Date(Date.now() - 5000).toISOString();
    const fps = Array.from({ length: 12 }, (_, i) => `e5ca1a7e000000${String(i).padStart(2, '0')}`);
    const firstSeen = Date.now();
    // Every alert reaches every replica (an HA pair of Alertmanagers, plus a retry): each schedules at most once.
    await Promise.all(fps.flatMap((fp) => replicas.map((r) => deliver(r, delivery(fp, 'firing', startsAt)))));

    const tasks = await waitFor(async () => {
      const found = escalationTasks();
      return found.length >= fps.length && (await idle()) ? found : null;
    }, 10_000, 'every escalation to fire');
    // Give every replica one more chance to fire something twice.
    await runAll();

    const all = escalationTasks().map((s) => s.task);
    expect(all).toHaveLength(fps.length);
    expect(all.map((t) => t.payload.alerts[0]!.fingerprint).sort()).toEqual(fps);
    for (const { task: t, at } of tasks) {
      // Sent (the tier's task claimed and checked) after the delay, counted from the first delivery.
      expect(at).toBeGreaterThanOrEqual(firstSeen + ESCALATE_AFTER_MINUTES * 60_000 - 50);
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
    const fired = notifiers.flatMap((n) => n.logs().filter((l) => l.message === 'escalation fired'));
    expect(fired).toHaveLength(fps.length);

    // A reminder of the same firing schedules nothing new.
    await deliver(replicas[1]!, { ...delivery(fps[0]!, 'firing', startsAt), receiver: 'reminder' });
    expect(await waiting('delayed')).toHaveLength(0);
  });

  it('does not fire after an ack, nor after a resolve', async () => {
    const startsAt = new Date().toISOString();
    const acked = 'ac4ed00000000001';
    const resolved = '2e501fed00000001';
    // The notifiers wait until the ack and the resolve are in: on a loaded machine the 300 ms tier
    // could otherwise come due first and rightly fire. Whether the tier is due by then or not, it
    // must not fire afterwards.
    const running = notifiers.splice(0);
    await Promise.all(running.map((n) => n.worker.close()));
    notifiers.push(...running);
    await deliver(replicas[0]!, delivery(acked, 'firing', startsAt));
    await deliver(replicas[1]!, delivery(resolved, 'firing', startsAt));
    expect(await waiting('delayed')).toHaveLength(2);
    const due = Date.now() + ESCALATE_AFTER_MINUTES * 60_000;

    const ack = await request(replicas[2]!.url, 'POST', `/api/v1/alerts/${acked}/ack`, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, '{}');
    expect(ack.status).toBe(200);
    await deliver(replicas[2]!, delivery(resolved, 'resolved', startsAt));
    expect(await idle()).toBe(true);

    // Past the due time, every replica checks: nothing fires.
    await waitFor(() => Date.now() > due + 100, 2000, 'the escalation delay to pass');
    notifiers.push(...replicas.map((r) => startChannelReplica(r)));
    await runAll();
    const tasks = escalationTasks().map((s) => s.task);
    expect(tasks.filter((t) => [acked, resolved].includes(t.payload.alerts[0]!.fingerprint))).toEqual([]);
    expect((await timeline(acked)).find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'acked', by: 'carol', tiers: ['db-team#1'] });
    expect((await timeline(resolved)).find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'resolved', tiers: ['db-team#1'] });
  });

  it('a replica that dies after claiming is replaced once its lease ends, still without a second SMS', async () => {
    const startsAt = new Date().toISOString();
    const fp = 'de4d00000000a001';
    // Only this test's replica runs from here: the others are stopped.
    await Promise.all(notifiers.map((n) => n.worker.close()));
    await deliver(replicas[0]!, delivery(fp, 'firing', startsAt));
    await waitFor(async () => (await firstDue()) <= Date.now(), 2000, 'the escalation to be due');

    // "Replica X" claims it (the queue's claim, with the configured 1 s lease), then dies before sending.
    const claimed = await claimEscalation(sms(), 'replica-x');
    expect(claimed.payload.precondition).toMatchObject({ kind: 'escalation', fingerprint: fp });
    expect(claimed.dedupKey).toBe(escalationDedupKey(fp, startsAt, 'db-team#1'));

    // The lease runs out; a surviving replica takes it over and sends it, once.
    await waitFor(async () => (await replicas[1]!.redis.exists(sms().keys.lock(claimed.id))) === 0, 3000, 'the lease to end');
    const survivor = startChannelReplica(replicas[2]!);
    notifiers.push(survivor);
    try {
      await waitFor(async () => survivor.sent.some((s) => s.task.id === claimed.id) && (await idle()), 5000, 'the surviving replica to take the escalation over');
    } finally {
      await survivor.worker.close();
    }
    expect(await idle()).toBe(true);
    const events = (await timeline(fp)).filter((e) => e.type === 'escalated');
    expect(events).toEqual([expect.objectContaining({ taskId: claimed.id })]);
    expect(escalationTasks().filter((s) => s.task.dedupKey === escalationDedupKey(fp, startsAt, 'db-team#1'))).toHaveLength(1);
  });

  it('a tier claimed just before an ack settles as suppressed when it runs, and the timeline shows it', async () => {
    // The notifier replicas are stopped since the test above: this test runs the task itself.
    const startsAt = new Date().toISOString();
    const fp = '5c9e55ed0000a001';
    await deliver(replicas[0]!, delivery(fp, 'firing', startsAt));
    await waitFor(async () => (await firstDue()) <= Date.now(), 2000, 'the escalation to be due');
    const claimed = await claimEscalation(sms(), 'replica-y');
    expect(claimed.payload.precondition).toMatchObject({ kind: 'escalation', fingerprint: fp });

    const ack = await request(replicas[1]!.url, 'POST', `/api/v1/alerts/${fp}/ack`, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, '{}');
    expect(ack.status).toBe(200);
    // Replica Y gives the task back (a shutdown); another replica claims it and runs the check.
    expect(await sms().release(claimed.id, claimed.token)).toBe(true);
    const runner = startChannelReplica(replicas[2]!);
    notifiers.push(runner);
    const outcome = await waitFor(async () => {
      const t = await sms().get(claimed.id);
      return t?.status === 'completed' ? t : null;
    }, 5000, 'the tier to settle');
    await runner.worker.close();
    expect(outcome.results['+8613800000009']).toMatchObject({ status: 'suppressed', message: 'cancelled' });

    const tl = await timeline(fp);
    expect(tl.find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'acked', tiers: ['db-team#1'] });
    expect(tl.filter((e) => e.type === 'escalation-suppressed')).toEqual([expect.objectContaining({ by: 'system', reason: 'cancelled', tier: 'db-team#1' })]);
    expect(tl.filter((e) => e.type === 'escalated')).toEqual([]);
    expect(escalationTasks().filter((s) => s.task.payload.alerts[0]!.fingerprint === fp)).toEqual([]);
  });

  it('counts the SMS queue in the queue depth metric (a dead escalation task would show there)', async () => {
    const metrics = await request(replicas[0]!.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    const completed = /alertgw_queue_depth\{queue="sms",state="completed"\} (\d+)/.exec(String(metrics.body));
    // The 12 tiers of the first test ran to completion on the SMS queue.
    expect(Number(completed?.[1])).toBeGreaterThanOrEqual(12);
    expect(String(metrics.body)).toContain('alertgw_queue_depth{queue="sms",state="dead"} 0');
  });

  it('a tier reaches whoever it names when it fires (the directory is read at send time, not when scheduled)', async () => {
    const startsAt = new Date().toISOString();
    const fp = '0f0e00000000a001';
    await deliver(replicas[0]!, delivery(fp, 'firing', startsAt));
    // The directory changes after the alert fired: boss has a new phone.
    const put = await request(replicas[1]!.url, 'PUT', '/api/v1/users/boss', { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, JSON.stringify({ phone: '+8613800000010', groups: ['leads'] }));
    expect(put.status).toBe(200);
    await waitFor(() => replicas[2]!.handling!.directory.current().directory.user('boss')?.phone === '+8613800000010', 3000, 'the directory change to reach replica 2');
    await waitFor(async () => (await firstDue()) <= Date.now(), 2000, 'the escalation to be due');
    const runner = startChannelReplica(replicas[2]!);
    notifiers.push(runner);
    const sent = await waitFor(() => runner.sent.find((s) => isEscalation(s.task) && s.task.payload.alerts[0]!.fingerprint === fp), 5000, 'the tier to be sent');
    await runner.worker.close();
    expect((await sms().get(sent.task.id))!.results['+8613800000010']).toMatchObject({ status: 'delivered' });
    const sentTo = escalationTasks().filter((s) => s.task.payload.alerts[0]!.fingerprint === fp);
    expect(sentTo.map((s) => s.task.payload.recipients)).toEqual([[{ name: 'boss', address: '+8613800000010', rules: ['escalation:db-team#1'] }]]);
  });
});
