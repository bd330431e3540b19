import { DirectoryStore } from '@alertgw/shared';
import { waitFor } from '@alertgw/testkit';
import { deliverFiring, type Ingest, useReplicaPair } from '../support/harness';

// Obvious fakes: the environment variable names are all a robot entry ever holds.
const OPS_ROOM = { type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}', secret: '${CHAT_OPS_SECRET}', mentions: { mobiles: ['+8613800000009'] } };

/** Robots through the directory API: the same roles, validation and versioned writes as users. */
describe('robots API', () => {
  const pair = useReplicaPair('robots');
  const { send } = pair;
  let a: Ingest;
  let b: Ingest;
  let viewer: Record<string, string>;
  beforeAll(() => ({ a, b, viewer } = pair));
  let n = 0;
  const deliver = async (target: Ingest, labels: Record<string, string>) => {
    const res = await deliverFiring(target, labels, `robot0000000${String(++n).padStart(4, '0')}`);
    expect(res.status).toBe(200);
    return res.body.tasks as Record<string, { id: string } | undefined>;
  };

  it('puts, reads and deletes robots; viewers read, with mention phones masked, and cannot write', async () => {
    const put = await send(a, 'PUT', '/api/v1/robots/ops-room', OPS_ROOM);
    expect(put.status).toBe(200);
    expect(put.body.robot).toEqual({ name: 'ops-room', ...OPS_ROOM });
    await waitFor(() => b.handling!.directory.current().version === put.body.version, 1000, 'replica b to load the robot');

    expect((await send(b, 'GET', '/api/v1/robots/ops-room')).body).toEqual({ name: 'ops-room', ...OPS_ROOM });
    const listed = await send(b, 'GET', '/api/v1/robots', undefined, viewer);
    expect(listed.body).toEqual({ version: put.body.version, items: [{ name: 'ops-room', ...OPS_ROOM, mentions: { mobiles: ['+86138****0009'] } }] });
    expect((await send(b, 'GET', '/api/v1/directory', undefined, viewer)).body.robots).toEqual(listed.body.items);
    expect((await send(b, 'PUT', '/api/v1/robots/x', OPS_ROOM, viewer)).status).toBe(403);
    expect((await send(b, 'GET', '/api/v1/robots/ghost')).status).toBe(404);

    const gone = await send(a, 'DELETE', '/api/v1/robots/ops-room');
    expect(gone.status).toBe(200);
    expect(gone.body.version).toBe(put.body.version + 1);
    const again = await send(a, 'DELETE', '/api/v1/robots/ops-room');
    expect(again.status).toBe(404);
    expect(again.body.message).toBe('no such robot');
  });

  it('refuses a literal webhook URL or secret, and a bad type, with every problem named; nothing is written', async () => {
    const before = await new DirectoryStore(a.redis, a.prefix, ['email', 'sms', 'chat']).version();
    const literal = await send(a, 'PUT', '/api/v1/robots/leaky', {
      type: 'wecom',
      webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=fake-key-0001',
      secret: 'fake-secret-0002',
    });
    expect(literal.status).toBe(400);
    expect(literal.body.problems.map((p: { text: string }) => p.text)).toEqual([
      'robot "leaky": webhookUrl: must be exactly one ${NAME} reference to an environment variable of notifier-chat (e.g. "${CHAT_LEAKY_WEBHOOK}"), not the value itself: a robot\'s webhook URL carries its access token',
      'robot "leaky": secret: must be exactly one ${NAME} reference to an environment variable of notifier-chat (e.g. "${CHAT_LEAKY_SECRET}"), not the value itself: a robot\'s secret signs its messages',
    ]);
    expect(JSON.stringify(literal.body)).not.toMatch(/fake-key-0001|fake-secret-0002/);
    const badType = await send(a, 'PUT', '/api/v1/robots/slacky', { type: 'slack', webhookUrl: '${X}', color: 'red' });
    expect(badType.status).toBe(400);
    expect(badType.body.problems.map((p: { text: string }) => p.text)).toEqual(
      expect.arrayContaining(['robot "slacky": type: must be one of: "wecom", "dingtalk", "feishu"', 'robot "slacky": color: is not a known key (typo?)']),
    );
    expect((await send(a, 'PUT', '/api/v1/robots/a%3Ab', OPS_ROOM)).status).toBe(400);
    expect(await new DirectoryStore(a.redis, a.prefix, ['email', 'sms', 'chat']).version()).toBe(before);
  });

  it('a route naming a robot sends the next delivery to chat, with its owners; a robot a route names cannot be deleted', async () => {
    expect((await send(a, 'PUT', '/api/v1/robots/db-room', { type: 'feishu', webhookUrl: '${CHAT_DB_WEBHOOK}' })).status).toBe(200);
    const unknown = await send(a, 'PUT', '/api/v1/routes/db-chat', { matchers: ['team="db"'], notify: ['robot:db-rooom'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.problems.map((p: { text: string }) => p.text)).toEqual(['route "db-chat": notify[0]: unknown robot "db-rooom" (not in robots)']);
    const route = await send(a, 'PUT', '/api/v1/routes/db-chat', { matchers: ['team="db"'], notify: ['robot:db-room'], escalate: [{ afterMinutes: 30, notify: ['robot:db-room'] }] });
    expect(route.status).toBe(200);
    await waitFor(() => b.handling!.directory.current().version === route.body.version, 1000, 'replica b to load the route');

    const tasks = await deliver(b, { alertname: 'ReplicationLag', team: 'db', severity: 'critical', owner: 'lisi' });
    const chat = await b.queues.get('chat')!.get(tasks.chat!.id);
    expect(chat!.payload.recipients).toEqual([{ name: 'robot:db-room', address: 'db-room', rules: ['route:db-chat'] }]);
    expect(chat!.payload.owners!.map((o) => o.name)).toEqual(['oncall-a', 'zhangsan', 'lisi']);
    expect(chat!.payload.owners![0]).toEqual({ name: 'oncall-a', phone: '+8613800000001' });
    const email = await b.queues.get('email')!.get(tasks.email!.id);
    expect(email!.payload.recipients.some((r) => r.name.startsWith('robot:'))).toBe(false);
    // A delivery no route sends to a robot makes no chat task.
    expect((await deliver(b, { alertname: 'Latency', team: 'web' })).chat).toBeUndefined();

    const inUse = await send(a, 'DELETE', '/api/v1/robots/db-room');
    expect(inUse.status).toBe(400);
    expect(inUse.body.problems.map((p: { text: string }) => p.text)).toEqual(
      expect.arrayContaining(['route "db-chat": notify[0]: unknown robot "db-room" (not in robots)']),
    );
  });

  it('route test shows the robot on the chat channel (viewer: its name unmasked) and in escalation tiers', async () => {
    const res = await send(b, 'POST', '/api/v1/routes/test', { labels: { team: 'db', severity: 'critical' } }, viewer);
    expect(res.status).toBe(200);
    expect(res.body.channels.find((c: { channel: string }) => c.channel === 'chat')).toMatchObject({
      carried: true,
      recipients: [{ name: 'robot:db-room', address: 'db-room', rules: ['route:db-chat'] }],
    });
    expect(res.body.escalations.find((e: { route: string }) => e.route === 'db-chat')).toMatchObject({ robots: ['db-room'], reachable: [] });
  });

  it('concurrent changes through both replicas all land, each on its own version', async () => {
    const names = ['r-1', 'r-2', 'r-3', 'r-4'];
    const answers = await Promise.all(names.map((name, i) => send(i % 2 ? a : b, 'PUT', `/api/v1/robots/${name}`, { type: 'wecom', webhookUrl: '${CHAT_WEBHOOK}' })));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((r) => r.body.version)).size).toBe(4);
    const stored = await new DirectoryStore(a.redis, a.prefix, ['email', 'sms', 'chat']).read();
    expect(stored!.doc.robots!.map((r) => r.name)).toEqual(expect.arrayContaining(names));
  });
});
