import { channelQueue, getAlert, type NotificationPayload, type TaskQueue } from '@alertgw/shared';
import { uniquePrefix, waitFor } from '@alertgw/testkit';
import { startChannelReplica, type ChannelReplica } from './support/channel-replica';
import { delivery, isEscalation, withEscalation } from './support/escalation-fixture';
import { bearer, request, startIngest, TEST_ENV, type Ingest } from './support/harness';

/** The db route's tier pages the leads by SMS and the ops room's robot in its chat group. */
function withRobotTier(raw: Record<string, unknown>): void {
  withEscalation(raw);
  raw.robots = [{ name: 'ops-room', type: 'dingtalk', webhookUrl: '${OPS_ROOM_DINGTALK_URL}' }];
  const [route] = raw.routes as Array<{ escalate: Array<{ notify: string[] }> }>;
  route!.escalate[0]!.notify = ['group:leads', 'robot:ops-room'];
}

/**
 * An escalation tier naming a chat robot: a task of the chat queue beside the tier's SMS, each
 * with its own tier id, checked at send time like any tier and cancelled by an ack alike.
 */
describe('an escalation tier naming a chat robot', () => {
  let ingest: Ingest;
  let chat: TaskQueue<NotificationPayload>;
  const replicas: ChannelReplica[] = [];

  beforeAll(async () => {
    ingest = await startIngest({ prefix: uniquePrefix('escbot'), patch: withRobotTier, handling: { pollMs: 200, escalationIdleMs: 200 } });
    chat = channelQueue<NotificationPayload>(ingest.redis, ingest.config, 'chat');
    replicas.push(startChannelReplica(ingest, { channel: 'sms' }), startChannelReplica(ingest, { channel: 'chat' }));
  });
  afterAll(async () => {
    while (replicas.length) await replicas.pop()!.close();
    await ingest?.close();
  });

  const deliver = async (body: unknown) => {
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
  };
  const timeline = async (fp: string) => (await getAlert(ingest.redis, ingest.prefix, fp))!.timeline;
  const sentAbout = (channel: 'sms' | 'chat', fp: string) =>
    replicas.find((r) => r.queue.name === channel)!.sent.filter((s) => isEscalation(s.task) && s.task.payload.alerts[0]!.fingerprint === fp);

  it('sends the robot its own escalation message when the tier is due, beside the SMS to the people', async () => {
    const fp = 'b0b0e00000000001';
    await deliver(delivery(fp, 'firing', new Date().toISOString()));
    const [toRobot] = await waitFor(async () => (sentAbout('chat', fp).length ? sentAbout('chat', fp) : null), 10_000, 'the escalation message to the robot');
    const [toPeople] = await waitFor(async () => (sentAbout('sms', fp).length ? sentAbout('sms', fp) : null), 10_000, 'the escalation SMS');

    expect(toRobot!.task.payload).toMatchObject({ channel: 'chat', recipients: [{ name: 'robot:ops-room', address: 'ops-room', rules: ['escalation:db-team#1'] }] });
    expect(toRobot!.task.payload.commonAnnotations.summary).toMatch(/^\[escalated: not acked in/);
    expect(toPeople!.task.payload.recipients.map((r) => r.address)).toEqual(['+8613800000009']);
    const escalated = await waitFor(async () => ((tl) => (tl.filter((e) => e.type === 'escalated').length === 2 ? tl : null))(await timeline(fp)), 5000, 'both escalated events');
    expect(escalated.filter((e) => e.type === 'escalated').map((e) => e.recipients).sort()).toEqual([['boss'], ['robot:ops-room']]);
  });

  it('an ack before the tier is due removes the robot task too, and nothing is sent', async () => {
    const fp = 'b0b0e00000000002';
    await deliver(delivery(fp, 'firing', new Date().toISOString()));
    const waiting = (await chat.list('delayed', { limit: 1000 })).filter((t) => isEscalation(t) && t.payload.alerts[0]!.fingerprint === fp);
    expect(waiting).toHaveLength(1);
    const ack = await request(ingest.url, 'POST', `/api/v1/alerts/${fp}/ack`, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, '{}');
    expect(ack.status).toBe(200);

    expect(await chat.get(waiting[0]!.id)).toBeNull();
    expect((await timeline(fp)).find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'acked', tiers: expect.arrayContaining(['db-team#1', 'db-team#1@chat']) });
    // The first test's tier fired within this time; this one's would have too.
    await waitFor(async () => (await ingest.redis.zcard(chat.keys.delayed)) === 0, 5000, 'no chat tier left waiting');
    expect(sentAbout('chat', fp)).toEqual([]);
    expect(sentAbout('sms', fp)).toEqual([]);
  });
});
