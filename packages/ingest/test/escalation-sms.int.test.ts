import { channelQueue, getAlert, HandlingKeys, type NotificationPayload, type TaskQueue } from '@alertgw/shared';
import { uniquePrefix, waitFor } from '@alertgw/testkit';
import { escalationDedupKey } from '../src/handling/escalation-tier-task';
import { startChannelReplica, type ChannelReplica } from './support/channel-replica';
import { claimEscalation, delivery, isEscalation, withEscalation } from './support/escalation-fixture';
import { bearer, request, startIngest, TEST_ENV, type Ingest } from './support/harness';

/**
 * An escalation tier as an SMS task: scheduled once per alert, firing and tier; checked by the
 * notifier's Worker right before it is sent; sent to whoever the tier names at that moment.
 */
describe('an escalation tier is a delayed SMS task', () => {
  let ingest: Ingest;
  let sms: TaskQueue<NotificationPayload>;
  const replicas: ChannelReplica[] = [];

  beforeAll(async () => {
    ingest = await startIngest({ prefix: uniquePrefix('escsms'), patch: withEscalation, handling: { pollMs: 200, escalationIdleMs: 200 } });
    sms = channelQueue<NotificationPayload>(ingest.redis, ingest.config, 'sms');
  });
  afterEach(async () => {
    while (replicas.length) await replicas.pop()!.close();
  });
  afterAll(() => ingest?.close());

  const replica = (opts?: Parameters<typeof startChannelReplica>[1]) => {
    const r = startChannelReplica(ingest, opts);
    replicas.push(r);
    return r;
  };
  const deliver = async (body: unknown) => {
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
  };
  const operator = async (method: string, path: string, body: unknown) =>
    request(ingest.url, method, path, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, JSON.stringify(body));
  const timeline = async (fp: string) => (await getAlert(ingest.redis, ingest.prefix, fp))!.timeline;
  const escalationsOf = async (fp: string, state: 'delayed' | 'pending' | 'completed') =>
    (await sms.list(state, { limit: 1000 })).filter((t) => isEscalation(t) && t.payload.alerts[0]!.fingerprint === fp);
  /** Waits until the tier of `fp` is due (its task's due time is Redis' clock; same host). */
  const due = (fp: string) =>
    waitFor(async () => ((await escalationsOf(fp, 'delayed'))[0]?.dueAt ?? Infinity) <= Date.now(), 2000, `the tier of ${fp} to be due`);
  const settled = (id: string) => waitFor(async () => ((t) => (t && ['completed', 'dead'].includes(t.status) ? t : null))(await sms.get(id)), 5000, `task ${id} to settle`);

  it('a webhook delivery posted again, or a reminder, schedules no second SMS (one idempotency key per alert, firing and tier)', async () => {
    const fp = 'd0b1e00000000001';
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const body = delivery(fp, 'firing', startsAt);
    await deliver(body);
    await deliver(body);
    await deliver({ ...body, receiver: 'reminder' });
    const [task, ...more] = await escalationsOf(fp, 'delayed');
    expect(more).toEqual([]);
    const key = escalationDedupKey(fp, startsAt, 'db-team#1');
    expect(task!.dedupKey).toBe(key);
    expect(task!.payload).toMatchObject({ recipients: [], sendTimeTargets: [{ target: 'group:leads', rule: 'escalation:db-team#1' }] });
    // The idempotency key outlives the alert's record (retention) by a week, as the tier's state does.
    expect(await ingest.redis.get(sms.keys.dedup(key))).toBe(task!.id);
    expect(await ingest.redis.pttl(sms.keys.dedup(key))).toBeGreaterThan(ingest.config.ingest.alertRetentionMs);
    expect((await timeline(fp)).filter((e) => e.type === 'escalation-scheduled')).toHaveLength(1);
    await deliver(delivery(fp, 'resolved', startsAt));
  });

  it('after a resolve, a tier claimed meanwhile settles as suppressed, and the timeline says so once', async () => {
    const fp = 'd0b1e00000000002';
    const startsAt = new Date().toISOString();
    await deliver(delivery(fp, 'firing', startsAt));
    await due(fp);
    const claimed = await claimEscalation(sms, 'replica-y', fp);
    await deliver(delivery(fp, 'resolved', startsAt));
    expect(await sms.release(claimed.id, claimed.token)).toBe(true);
    const r = replica();
    const task = await settled(claimed.id);

    expect(task.status).toBe('completed');
    expect(task.results['+8613800000009']).toMatchObject({ status: 'suppressed', code: 'PRECONDITION_FAILED', message: 'cancelled' });
    expect(task.info).toEqual({ gate: { settle: 'suppressed', code: 'PRECONDITION_FAILED', message: 'cancelled' } });
    expect(r.sent.filter((s) => s.task.id === claimed.id)).toEqual([]);
    const tl = await timeline(fp);
    expect(tl.find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'resolved', tiers: ['db-team#1'] });
    expect(tl.filter((e) => e.type === 'escalation-suppressed')).toEqual([expect.objectContaining({ reason: 'cancelled', tier: 'db-team#1' })]);
    // The check wrote the story; the suppressed task adds no `notification` event of its own.
    expect(tl.filter((e) => e.type === 'notification' && e.taskId === claimed.id)).toEqual([]);
    expect(tl.filter((e) => e.type === 'escalated')).toEqual([]);
  });

  it('after an ack, a tier still waiting is removed at once, and one claimed meanwhile is suppressed at its check', async () => {
    const waiting = 'd0b1e00000000003';
    const claimedFp = 'd0b1e00000000004';
    const startsAt = new Date().toISOString();
    await deliver(delivery(claimedFp, 'firing', startsAt));
    await due(claimedFp);
    const claimed = await claimEscalation(sms, 'replica-z', claimedFp);
    await deliver(delivery(waiting, 'firing', startsAt));
    for (const fp of [waiting, claimedFp]) expect((await operator('POST', `/api/v1/alerts/${fp}/ack`, {})).status).toBe(200);
    expect(await escalationsOf(waiting, 'delayed')).toEqual([]);
    expect(await sms.release(claimed.id, claimed.token)).toBe(true);
    const r = replica();
    expect(await settled(claimed.id)).toMatchObject({ status: 'completed', results: { '+8613800000009': { status: 'suppressed' } } });

    expect(r.sent.filter(isEscalationOf(waiting, claimedFp))).toEqual([]);
    expect((await timeline(waiting)).filter((e) => e.type.startsWith('escalation') || e.type === 'escalated').map((e) => e.type)).toEqual(['escalation-scheduled', 'escalation-cancelled']);
    expect((await timeline(claimedFp)).filter((e) => e.type.startsWith('escalation') || e.type === 'escalated').map((e) => e.type)).toEqual([
      'escalation-scheduled',
      'escalation-cancelled',
      'escalation-suppressed',
    ]);
  });

  it('reaches whoever the tier names when it is sent: group members added after the alert fired, and says who has no phone', async () => {
    const fp = 'd0b1e00000000005';
    const startsAt = new Date().toISOString();
    await deliver(delivery(fp, 'firing', startsAt));
    // Between scheduling and sending, two people join "leads": one with a phone, one without.
    expect((await operator('PUT', '/api/v1/users/dora', { phone: '+8613800000011', groups: ['leads'] })).status).toBe(200);
    expect((await operator('PUT', '/api/v1/users/emil', { email: 'emil@example.com', groups: ['leads'] })).status).toBe(200);
    await due(fp);
    const r = replica();
    const sent = await waitFor(() => r.sent.find((s) => isEscalationOf(fp)(s)), 5000, 'the tier to be sent');
    expect(sent.task.payload.recipients).toEqual([
      { name: 'boss', address: '+8613800000009', rules: ['escalation:db-team#1'] },
      { name: 'dora', address: '+8613800000011', rules: ['escalation:db-team#1'] },
    ]);
    expect((await settled(sent.task.id)).results).toMatchObject({ '+8613800000009': { status: 'delivered' }, '+8613800000011': { status: 'delivered' } });
    expect((await timeline(fp)).filter((e) => e.type === 'escalated')).toEqual([
      expect.objectContaining({ route: 'db-team', tier: 1, notify: ['group:leads'], recipients: ['boss', 'dora'], noPhone: ['emil'], taskId: sent.task.id, by: 'system' }),
    ]);
    expect((await operator('DELETE', '/api/v1/users/dora', undefined)).status).toBe(200);
    expect((await operator('DELETE', '/api/v1/users/emil', undefined)).status).toBe(200);
  });

  it('a replica that dies after its check passed (its lease runs out) leaves the tier to another, which sends it once', async () => {
    const fp = 'd0b1e00000000006';
    const startsAt = new Date().toISOString();
    // Replica X checks the tier, then hangs in send() until it is gone: it never reaches the provider.
    const x = replica({
      send: (task, signal) => (isEscalation(task) ? new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('replica X is gone')))) : Promise.resolve()),
    });
    await deliver(delivery(fp, 'firing', startsAt));
    const escalated = await waitFor(async () => (await timeline(fp)).find((e) => e.type === 'escalated'), 5000, 'replica X to pass the check');
    x.redis.disconnect();
    await x.worker.close(0);

    const y = replica();
    const sent = await waitFor(() => y.sent.find((s) => isEscalationOf(fp)(s)), 5000, 'replica Y to take the tier over after the lease');
    expect(sent.task.id).toBe(escalated.taskId);
    expect((await settled(sent.task.id)).status).toBe('completed');
    expect([...x.sent, ...y.sent].filter(isEscalationOf(fp))).toHaveLength(1);
    expect((await timeline(fp)).filter((e) => e.type === 'escalated')).toHaveLength(1);
    expect(await ingest.redis.hget(new HandlingKeys(ingest.prefix).escalation(fp), 's:db-team#1')).toBe('firing');
    // Replica X gives up writing its outcome (its Redis is gone) within its lease.
    await waitFor(() => x.worker.inFlight === 0, 3000, 'replica X to let go of the task');
  });
});

/** Matches a recorded send of an escalation SMS of one of `fps`. */
function isEscalationOf(...fps: string[]) {
  return (s: { task: { payload: NotificationPayload } }) => isEscalation(s.task) && fps.includes(s.task.payload.alerts[0]!.fingerprint);
}
