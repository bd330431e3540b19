import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import { stringify } from 'yaml';
import { DirectoryKeys, TaskQueue } from '@alertgw/shared';
import { deleteKeys, freePort, startFakeFeishu, testRedis, testRedisUrl, uniquePrefix, waitFor, type FakeRobotServer } from '@alertgw/testkit';
import { requireCompiled, SERVICE_MAIN, startChild, type ChildService } from '../../../test/e2e/support/child-service';
import type { ChatPayload } from '../src/chat-channel';
import { chatPayload, FEISHU_SECRET } from './support/harness';

// The compiled service as `node packages/notifier-chat/dist/main.js` runs it (needs `npm run build`):
// robots come live from the directory in Redis, URL and secret from its environment.
describe('notifier-chat, compiled', () => {
  let dir: string;
  let child: ChildService | undefined;
  let fake: FakeRobotServer;
  let redis: Redis;
  const prefix = uniquePrefix('chat-main');
  beforeAll(async () => {
    requireCompiled([SERVICE_MAIN['notifier-chat']]);
    dir = mkdtempSync(path.join(tmpdir(), 'chat-main-'));
    fake = await startFakeFeishu();
    redis = testRedis();
  });
  afterAll(async () => {
    await child?.stop();
    await fake.close();
    await deleteKeys(redis, `{${prefix}`);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts a signed Feishu card for a task of the chat queue, logs no token or secret, and stops on SIGTERM', async () => {
    const token = 'feishu-main-hook-token';
    fake.robot(token, FEISHU_SECRET);
    const keys = new DirectoryKeys(prefix);
    const robots = [{ name: 'oncall-feishu', type: 'feishu', webhookUrl: '${OPS_FEISHU_URL}', secret: '${OPS_FEISHU_SECRET}' }];
    await redis.mset(keys.doc, JSON.stringify({ users: [], routes: [], mandatory: [], robots }), keys.version, '1');
    const port = await freePort();
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, stringify({ redis: { keyPrefix: prefix }, log: { level: 'debug' }, chat: { listen: { host: '127.0.0.1', port } } }));
    child = startChild('notifier-chat', process.execPath, [SERVICE_MAIN['notifier-chat'], '--config', file], {
      env: { PATH: process.env.PATH, REDIS_URL: testRedisUrl(), OPS_FEISHU_URL: `${fake.url}/open-apis/bot/v2/hook/${token}`, OPS_FEISHU_SECRET: FEISHU_SECRET },
      cwd: dir,
    });
    await child.waitReady(`http://127.0.0.1:${port}/readyz`, 20_000);
    const queue = new TaskQueue<ChatPayload>({ redis, prefix, name: 'chat' });
    const { id } = await queue.enqueue({ payload: chatPayload(['oncall-feishu'], { n: 2 }), severityRank: 0 });
    const done = await waitFor(async () => ((await queue.get(id))?.status === 'completed' ? queue.get(id) : null), 20_000, 'the chat task completed');
    expect(done!.results['oncall-feishu']).toMatchObject({ status: 'delivered', code: 'feishu-0' });
    expect(fake.accepted(token)).toHaveLength(1);
    expect(child.lines().join('\n')).not.toMatch(new RegExp(`${token}|${FEISHU_SECRET}`));
    expect(child.lines().some((l) => l.includes('notifier-chat started') && l.includes('oncall-feishu (feishu)'))).toBe(true);
    const exit = await child.stop(10_000);
    expect(exit).toMatchObject({ code: 0, killed: false });
  });
});
