import type Redis from 'ioredis';
import { TaskQueue, type RobotConfig } from '@alertgw/shared';
import { captureLogs, deleteKeys, startFakeDingtalk, startFakeFeishu, testRedis, uniquePrefix, waitFor, type FakeRobotServer } from '@alertgw/testkit';
import type { ChatPayload } from '../src/chat-channel';
import { chatConfig, chatPayload, DINGTALK_SECRET, FEISHU_SECRET, fixedRobots, startReplica, type Replica } from './support/harness';

const TOKEN = 'ding-budget-token';
/** One "minute", scaled down so the test takes seconds. */
const WINDOW_MS = 3_000;

describe('per-robot budget shared by every replica (DingTalk fake enforcing 20 per window with 130101)', () => {
  let ding: FakeRobotServer;
  let redis: Redis;
  let prefix: string;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    ding = await startFakeDingtalk();
    redis = testRedis();
  });
  afterAll(async () => {
    await ding.close();
    redis.disconnect();
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    replicas = [];
    await deleteKeys(redis, `{${prefix}`);
  });

  it('60 groups in one window to one robot over 2 replicas: at most 20 reach it, the rest go out merged in a summary, none lost, critical first', async () => {
    prefix = uniquePrefix('chat-budget');
    ding.reset();
    ding.robot(TOKEN, DINGTALK_SECRET);
    ding.setLimits([{ max: 20, windowMs: WINDOW_MS }]);
    const queue = new TaskQueue<ChatPayload>({ redis, prefix, name: 'chat' });
    // 40 warning groups, then 20 critical ones: the queue hands out critical first.
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const critical = i >= 40;
      const payload = chatPayload(['ops'], { alertname: critical ? `Critical${i}` : `Warning${i}`, severity: critical ? 'critical' : 'warning' });
      ids.push((await queue.enqueue({ payload, severityRank: critical ? 0 : 2 })).id);
    }
    const config = chatConfig({ providers: { ...chatConfig().providers, dingtalk: { rateLimit: { perMinute: 20, windowMs: WINDOW_MS }, timeoutMs: 5_000 } } });
    const robots = fixedRobots([{ name: 'ops', type: 'dingtalk', webhookUrl: '${URL}', secret: '${SECRET}' } satisfies RobotConfig]);
    const env = { URL: `${ding.url}/robot/send?access_token=${TOKEN}`, SECRET: DINGTALK_SECRET };
    const { logger } = captureLogs();
    for (let i = 0; i < 2; i++) replicas.push(startReplica({ prefix, config, robots, env, logger, concurrency: 4, maxAttempts: 3 }));

    // Everything settles: the 60 groups and the summaries they were merged into.
    await waitFor(async () => {
      const c = await queue.counts();
      return c.pending + c.delayed + c.active === 0 && c.completed > 60 ? c : null;
    }, 20_000, 'every group and summary settled');
    const counts = await queue.counts();
    expect(counts.dead).toBe(0);

    const tasks = await Promise.all(ids.map((id) => queue.get(id)));
    const direct = tasks.filter((t) => t!.results.ops.status === 'delivered');
    const merged = tasks.filter((t) => t!.results.ops.status === 'merged');
    expect(direct.length + merged.length).toBe(60);
    expect(direct).toHaveLength(20);

    // At most the budget reached the fake in any window, and it never had to throttle.
    expect(ding.requests.map((r) => r.code).filter((c) => c !== 0)).toEqual([]);
    const times = ding.accepted().map((r) => r.at).sort((a, b) => a - b);
    const busiest = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + WINDOW_MS).length));
    expect(busiest).toBeLessThanOrEqual(20);

    // None lost: the summaries account for every merged group.
    const summaries = (await queue.list('completed', { limit: 1000 })).filter((t) => t.payload.digest);
    expect(summaries.length).toBeGreaterThan(0);
    const summarized = summaries.reduce((n, t) => n + Number((t.results.ops.detail as { digest: { merged: number } }).digest.merged), 0);
    expect(summarized).toBe(merged.length);
    expect(ding.accepted()).toHaveLength(20 + summaries.length);
    const summaryText = ding.accepted().map((r) => r.body.markdown.text as string).find((t) => t.includes('SUMMARY'))!;
    expect(summaryText).toContain(`${merged.length} alert groups while this robot was over its budget`);

    // Critical first: the groups that went out directly are the critical ones. (A warning claimed
    // right after the 20th critical could, on a starved machine, take its budget check first.)
    const directCritical = direct.filter((t) => t!.payload.severity === 'critical').length;
    expect(directCritical).toBeGreaterThanOrEqual(18);
    // In the summary too, critical groups lead.
    const lines = summaryText.split('\n').filter((l) => l.startsWith('- '));
    const firstWarning = lines.findIndex((l) => l.includes('Warning'));
    const lastCritical = lines.map((l) => l.includes('Critical')).lastIndexOf(true);
    if (firstWarning >= 0 && lastCritical >= 0) expect(lastCritical).toBeLessThan(firstWarning);
  });

  it('Feishu\'s second limit too: 12 groups at once reach the fake at most 5 per (scaled) second, the rest in a summary', async () => {
    prefix = uniquePrefix('chat-budget-fs');
    const feishu = await startFakeFeishu();
    try {
      const token = 'feishu-budget-hook';
      feishu.robot(token, FEISHU_SECRET);
      // A "minute" of 6 s makes Feishu's second 100 ms; the fake enforces both, with 9499.
      feishu.setLimits([{ max: 100, windowMs: 6_000 }, { max: 5, windowMs: 100 }]);
      const config = chatConfig({ providers: { ...chatConfig().providers, feishu: { rateLimit: { perMinute: 100, perSecond: 5, windowMs: 6_000 }, timeoutMs: 5_000 } } });
      const queue = new TaskQueue<ChatPayload>({ redis, prefix, name: 'chat' });
      for (let i = 0; i < 12; i++) await queue.enqueue({ payload: chatPayload(['fs'], { alertname: `Group${i}` }), severityRank: 0 });
      const robots = fixedRobots([{ name: 'fs', type: 'feishu', webhookUrl: '${URL}', secret: '${SECRET}' } satisfies RobotConfig]);
      const env = { URL: `${feishu.url}/open-apis/bot/v2/hook/${token}`, SECRET: FEISHU_SECRET };
      const { logger } = captureLogs();
      for (let i = 0; i < 2; i++) replicas.push(startReplica({ prefix, config, robots, env, logger, concurrency: 6, maxAttempts: 3 }));
      await waitFor(async () => {
        const c = await queue.counts();
        return c.pending + c.delayed + c.active === 0 && c.completed > 12 ? c : null;
      }, 20_000, 'every group and summary settled');
      expect((await queue.counts()).dead).toBe(0);
      // Our 100 ms window is padded by only 5 ms: on a starved machine a post can arrive late
      // enough to be throttled; it is then retried like any 9499, so allow a stray one.
      expect(feishu.requests.filter((r) => r.code !== 0).length).toBeLessThanOrEqual(2);
      const times = feishu.accepted().map((r) => r.at).sort((a, b) => a - b);
      expect(Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 100).length))).toBeLessThanOrEqual(5);
      const summaries = (await queue.list('completed', { limit: 100 })).filter((t) => t.payload.digest);
      const summarized = summaries.reduce((n, t) => n + Number((t.results.fs.detail as { digest: { merged: number } }).digest.merged), 0);
      expect(feishu.accepted().length - summaries.length + summarized).toBe(12);
      expect(summarized).toBeGreaterThan(0);
    } finally {
      await feishu.close();
    }
  });
});
