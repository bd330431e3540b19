import http from 'node:http';
import net from 'node:net';
import type Redis from 'ioredis';
import { AckTokenCodec, createAckLinkIssuer, TaskQueue, type RobotConfig, type TaskRecord } from '@alertgw/shared';
import { captureLogs, deleteKeys, startFakeDingtalk, startFakeFeishu, startFakeWecom, testRedis, uniquePrefix, waitFor, type FakeRobotServer } from '@alertgw/testkit';
import type { ChatPayload } from '../src/chat-channel';
import { chatConfig, chatPayload, DINGTALK_SECRET, FEISHU_SECRET, fixedRobots, startReplica, type Replica } from './support/harness';

const DING_TOKEN = 'ding-test-token-0001';
const FEISHU_TOKEN = 'feishu-test-hook-0001';
const WECOM_KEY = 'wecom-test-key-0001';

describe('notifier-chat on the shared worker: provider fakes + real Redis', () => {
  let ding: FakeRobotServer;
  let feishu: FakeRobotServer;
  let wecom: FakeRobotServer;
  let redis: Redis;
  let prefix: string;
  let queue: TaskQueue<ChatPayload>;
  let replicas: Replica[];
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    [ding, feishu, wecom] = await Promise.all([startFakeDingtalk(), startFakeFeishu(), startFakeWecom()]);
    redis = testRedis();
  });
  afterAll(async () => {
    await Promise.all([ding.close(), feishu.close(), wecom.close()]);
    redis.disconnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix('chat-w');
    queue = new TaskQueue<ChatPayload>({ redis, prefix, name: 'chat' });
    replicas = [];
    logs = captureLogs();
    for (const fake of [ding, feishu, wecom]) fake.reset();
    ding.robot(DING_TOKEN, DINGTALK_SECRET);
    feishu.robot(FEISHU_TOKEN, FEISHU_SECRET);
    wecom.robot(WECOM_KEY);
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    // Neither a robot's token (in its URL) nor its secret in any line any replica logged.
    expect(logs.lines.filter((l) => [DING_TOKEN, FEISHU_TOKEN, WECOM_KEY, DINGTALK_SECRET, FEISHU_SECRET].some((s) => l.includes(s)))).toEqual([]);
    await deleteKeys(redis, `{${prefix}`);
  });

  const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    DING_URL: `${ding.url}/robot/send?access_token=${DING_TOKEN}`,
    DING_SECRET: DINGTALK_SECRET,
    FEISHU_URL: `${feishu.url}/open-apis/bot/v2/hook/${FEISHU_TOKEN}`,
    FEISHU_SECRET,
    WECOM_URL: `${wecom.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`,
    ...over,
  });
  const ROBOTS: RobotConfig[] = [
    { name: 'ops-ding', type: 'dingtalk', webhookUrl: '${DING_URL}', secret: '${DING_SECRET}' },
    { name: 'ops-feishu', type: 'feishu', webhookUrl: '${FEISHU_URL}', secret: '${FEISHU_SECRET}' },
    { name: 'ops-wecom', type: 'wecom', webhookUrl: '${WECOM_URL}' },
  ];
  const start = (n = 1, opts: Partial<Parameters<typeof startReplica>[0]> = {}) => {
    for (let i = 0; i < n; i++) {
      replicas.push(startReplica({ prefix, config: chatConfig(), robots: fixedRobots(ROBOTS), env: env(), logger: logs.logger, ...opts }));
    }
  };
  const settled = (id: string, status: 'completed' | 'dead', ms = 10_000) =>
    waitFor(async () => {
      const t = await queue.get(id);
      return t?.status === status ? t : null;
    }, ms, `task ${id} ${status}`) as Promise<TaskRecord<ChatPayload>>;
  const enqueue = async (payload: ChatPayload, severityRank = 0) => (await queue.enqueue({ payload, severityRank })).id;

  it('posts one signed message per robot in its native format; owners are mentioned by provider id, else phone', async () => {
    start();
    const owners = [
      { name: 'zhang', phone: '+8613800000001', chatIds: { feishu: 'ou_zhang', wecom: 'zhangsan' } },
      { name: 'li', phone: '+8613800000002' },
    ];
    const id = await enqueue(chatPayload(['ops-ding', 'ops-feishu', 'ops-wecom'], { n: 3, owners }));
    const task = await settled(id, 'completed');
    expect(task.results['ops-ding']).toMatchObject({ status: 'delivered', code: 'dingtalk-0' });
    expect(task.results['ops-feishu']).toMatchObject({ status: 'delivered', code: 'feishu-0' });
    expect(task.results['ops-wecom']).toMatchObject({ status: 'delivered', code: 'wecom-0' });
    const [d] = ding.accepted(DING_TOKEN);
    expect(d.query.get('sign')).toBeTruthy();
    expect(d.body).toMatchObject({ msgtype: 'markdown', at: { atMobiles: ['13800000001', '13800000002'], isAtAll: false } });
    expect(d.body.markdown.text).toContain('DiskFull');
    const [f] = feishu.accepted(FEISHU_TOKEN);
    expect(f.body).toMatchObject({ msg_type: 'interactive', card: { header: { template: 'red' } } });
    expect(f.body.card.elements[0].text.content).toContain('<at id=ou_zhang></at>');
    const [w] = wecom.accepted(WECOM_KEY);
    expect(w.body.markdown.content).toContain('<@zhangsan>');
    // The timeline event says per robot what happened.
    // The worker writes timelines right after it settled the task: wait for them.
    const events = await waitFor(() => {
      const found = replicas[0].timeline.filter((e) => e.event.taskId === id);
      return found.length === 3 ? found : null;
    }, 5_000, 'a notification event per alert');
    expect(events[0].event.results).toMatchObject({ 'robot:ops-ding': { status: 'delivered', code: 'dingtalk-0', shown: 3, more: 0 } });
  });

  it.each([
    ['dingtalk', 'ops-ding', 310000],
    ['feishu', 'ops-feishu', 19021],
  ] as const)('%s robot %s: a wrong secret fails the signature check (errcode %d) and dead-letters as a configuration error', async (type, robot, code) => {
    start(1, { env: env({ DING_SECRET: 'SECwrong-secret', FEISHU_SECRET: 'wrong-secret' }) });
    const id = await enqueue(chatPayload([robot]));
    const task = await settled(id, 'dead');
    expect(task.results[robot]).toMatchObject({ status: 'failed', code: `${type}-${code}` });
    const fake = type === 'dingtalk' ? ding : feishu;
    expect(fake.requests.map((r) => r.code)).toEqual([code]);
    expect(await replicas[0].registry.getSingleMetricAsString('alertgw_channel_config_errors_total')).toContain(`code="${type}-${code}"`);
  });

  it.each([
    ['dingtalk', 'ops-ding', 130101],
    ['feishu', 'ops-feishu', 9499],
    ['wecom', 'ops-wecom', 45009],
  ] as const)('%s robot %s: throttled (errcode %d) twice, retried with backoff until accepted: one message', async (type, robot, code) => {
    const fake = { dingtalk: ding, feishu, wecom }[type];
    fake.script([code, code]);
    start();
    const id = await enqueue(chatPayload([robot]));
    const task = await settled(id, 'completed');
    expect(fake.requests.map((r) => r.code)).toEqual([code, code, 0]);
    expect(fake.accepted()).toHaveLength(1);
    expect(task.attempts).toBe(3);
    // The retries waited at least the backoff (capped at backoff.maxMs in tests, the provider's throttle time otherwise).
    expect(fake.requests[2].at - fake.requests[0].at).toBeGreaterThanOrEqual(2 * 10);
  });

  it('carries ack links signed for the robot: one per firing alert and one for the group', async () => {
    const key = 'chat-ack-link-test-key-0123456789abcdef';
    const ackLinks = createAckLinkIssuer({ baseUrl: 'https://alerts.example.com/gw', key, lifetimeMs: 3_600_000, prefix }, redis);
    start(1, { robots: fixedRobots([ROBOTS[0]!]), ackLinks });
    const payload = chatPayload(['ops-ding'], { n: 2 });
    await queue.enqueue({ payload, severityRank: 0 });
    await waitFor(() => ding.requests.find((r) => r.code === 0), 10_000, 'the DingTalk message');
    const text = String(ding.requests.find((r) => r.code === 0)!.body.markdown.text);
    const tokens = [...text.matchAll(/\]\(https:\/\/alerts\.example\.com\/gw\/ack\/([A-Za-z0-9_-]+)\)/g)].map((m) => m[1]!);
    expect(tokens).toHaveLength(3);
    const codec = new AckTokenCodec(key, prefix);
    const claims = tokens.map((t) => codec.verify(t, Date.now()));
    expect(claims.every((c) => c.ok && c.claims.recipient === 'ops-ding')).toBe(true);
    const subjects = claims.map((c) => (c.ok ? c.claims.subject : undefined));
    expect(subjects).toEqual(expect.arrayContaining([{ kind: 'group', groupId: expect.any(String) }, ...payload.alerts.map((a) => ({ kind: 'alert', fingerprint: a.fingerprint }))]));
  });

  it('a 1,000-alert group goes out to every provider as one message under its cap, ending "…and N more alerts (see mail)"', async () => {
    start();
    const id = await enqueue(chatPayload(['ops-ding', 'ops-feishu', 'ops-wecom'], { n: 1000, summary: '磁盘空间不足 disk almost full '.repeat(4) }));
    const task = await settled(id, 'completed');
    for (const robot of ['ops-ding', 'ops-feishu', 'ops-wecom']) expect(task.results[robot]).toMatchObject({ status: 'delivered' });
    for (const fake of [ding, feishu, wecom]) {
      expect(fake.requests.map((r) => r.code)).toEqual([0]);
      const text = JSON.stringify(fake.requests[0].body);
      expect(text).toMatch(/…and \d+ more alerts \(see mail\)/);
    }
    expect(Buffer.byteLength(wecom.requests[0].body.markdown.content)).toBeLessThanOrEqual(4096);
    expect(ding.requests[0].bytes).toBeLessThanOrEqual(20_000);
    expect(feishu.requests[0].bytes).toBeLessThanOrEqual(20 * 1024);
  });

  it('40058 (content rejected) dead-letters with the code on the timeline; replay delivers once the fake accepts', async () => {
    wecom.script([40058]);
    start();
    const id = await enqueue(chatPayload(['ops-wecom']));
    const dead = await settled(id, 'dead');
    expect(dead.results['ops-wecom']).toMatchObject({ status: 'failed', code: 'wecom-40058' });
    const event = await waitFor(() => replicas[0].timeline.find((e) => e.event.taskId === id)?.event ?? null, 5_000, 'the notification event');
    expect(event).toMatchObject({ taskStatus: 'dead', results: { 'robot:ops-wecom': { code: 'wecom-40058' } } });
    expect(await replicas[0].registry.getSingleMetricAsString('alertgw_chat_messages_total')).toContain('code="wecom-40058"');
    expect(await queue.replayDead([id])).toBe(1);
    const done = await settled(id, 'completed');
    expect(done.results['ops-wecom']).toMatchObject({ status: 'delivered', code: 'wecom-0' });
    expect(wecom.accepted()).toHaveLength(1);
  });

  it('a robot unknown at send time fails for that robot only (ROBOT_UNKNOWN); a literal URL is refused', async () => {
    start(1, { robots: fixedRobots([...ROBOTS, { name: 'literal', type: 'wecom', webhookUrl: `${wecom.url}/cgi-bin/webhook/send?key=${WECOM_KEY}` }]) });
    const id = await enqueue(chatPayload(['ops-wecom', 'gone', 'literal']));
    const task = await settled(id, 'dead');
    expect(task.results['ops-wecom']).toMatchObject({ status: 'delivered' });
    expect(task.results.gone).toMatchObject({ status: 'failed', code: 'ROBOT_UNKNOWN' });
    expect(task.results.literal).toMatchObject({ status: 'failed', code: 'ROBOT_LITERAL_SECRET' });
    expect(wecom.requests).toHaveLength(1);
  });

  it('dry-run when no robot is configured: the message is built and recorded, nothing is posted', async () => {
    start(1, { robots: fixedRobots([]) });
    const id = await enqueue(chatPayload(['ops-ding'], { owners: [{ name: 'li', phone: '+8613800000002' }] }));
    const task = await settled(id, 'completed');
    expect(task.results['ops-ding']).toMatchObject({ status: 'dry-run', code: 'DryRun', detail: { type: 'dingtalk', body: { msgtype: 'markdown', at: { atMobiles: ['13800000002'] } } } });
    expect(ding.requests).toHaveLength(0);
    const logged = logs.lines.find((l) => l.includes('dry-run: chat message built'))!;
    expect(logged).toContain('DiskFull');
    expect(logged).not.toContain('13800000002');
  });

  describe('through an egress proxy (HTTP_PROXY / HTTPS_PROXY, NO_PROXY), as a company network needs', () => {
    let proxy: ConnectProxy;
    beforeEach(async () => {
      proxy = await startConnectProxy();
    });
    afterEach(() => proxy.close());

    it('posts through the proxy named by HTTP_PROXY (a CONNECT tunnel to the robot), and directly to hosts NO_PROXY names', async () => {
      start(1, { env: env({ HTTP_PROXY: proxy.url }) });
      const id = await enqueue(chatPayload(['ops-wecom']));
      expect((await settled(id, 'completed')).results['ops-wecom']).toMatchObject({ status: 'delivered' });
      expect(proxy.tunnels).toEqual([new URL(wecom.url).host]);
      expect(wecom.accepted(WECOM_KEY)).toHaveLength(1);

      await Promise.all(replicas.map((r) => r.close()));
      replicas = [];
      start(1, { env: env({ HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }) });
      const direct = await enqueue(chatPayload(['ops-wecom'], { alertname: 'Direct' }));
      expect((await settled(direct, 'completed')).results['ops-wecom']).toMatchObject({ status: 'delivered' });
      expect(proxy.tunnels).toHaveLength(1);
      expect(wecom.accepted(WECOM_KEY)).toHaveLength(2);
    });

    it('a proxy that is down is a retryable network failure naming the robot\'s origin only', async () => {
      await proxy.close();
      start(1, { env: env({ HTTP_PROXY: proxy.url }) });
      const id = await enqueue(chatPayload(['ops-wecom']));
      const retried = await waitFor(async () => (await queue.get(id))?.results['ops-wecom']?.status === 'retry' ? (await queue.get(id))! : null, 10_000, 'a retry');
      expect(retried.results['ops-wecom']!.message).toBe(`wecom robot at ${new URL(wecom.url).origin}: request failed`);
      expect(wecom.accepted(WECOM_KEY)).toHaveLength(0);
    });
  });
});

/** A forward proxy for https-style tunnels (CONNECT host:port), recording each tunnel's target. */
interface ConnectProxy {
  url: string;
  tunnels: string[];
  close(): Promise<void>;
}

async function startConnectProxy(): Promise<ConnectProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      })),
  };
}
