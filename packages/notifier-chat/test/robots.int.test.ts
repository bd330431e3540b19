import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig, DirectoryKeys, GatewayError, sendTimeDirectory, type RobotConfig } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';
import { robotsOf } from '../src/robots/robot-directory';
import { resolveReference } from '../src/robots/resolve-reference';

describe('robot URLs and secrets: ${VAR} references resolved at send time', () => {
  it('reads VAR, else the file VAR_FILE names (trimmed)', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'chat-ref-')), 'secret');
    writeFileSync(file, '  from-a-file\n');
    expect(resolveReference('${A}', 'x', { A: ' direct ' })).toBe('direct');
    expect(resolveReference('${A}', 'x', { A_FILE: file })).toBe('from-a-file');
  });

  it('refuses a literal value and an unset variable as configuration errors naming the variable, never a value', () => {
    const literal = (() => {
      try {
        resolveReference('https://oapi.dingtalk.com/robot/send?access_token=abc', 'robot r webhookUrl', {});
      } catch (err) {
        return err as GatewayError;
      }
    })();
    expect(literal).toMatchObject({ code: 'SEND_CONFIG', details: { providerCode: 'ROBOT_LITERAL_SECRET' } });
    expect(literal!.message).not.toContain('abc');
    expect(() => resolveReference('${NOPE}', 'robot r secret', {})).toThrow(/neither NOPE nor NOPE_FILE/);
  });

  it('reads VAR_FILE through the same guarded reader as the config: a device or an oversized file is a configuration error', () => {
    expect(() => resolveReference('${A}', 'robot r secret', { A_FILE: '/dev/zero' })).toThrow(/robot r secret: A_FILE is not a regular file/);
    const big = path.join(mkdtempSync(path.join(tmpdir(), 'chat-ref-')), 'big');
    writeFileSync(big, 'x'.repeat(64 * 1024 + 1));
    expect(() => resolveReference('${A}', 'robot r secret', { A_FILE: big })).toThrow(/A_FILE is larger than 64 KiB/);
  });
});

describe('robot definitions read live from the directory in Redis', () => {
  const redis = testRedis();
  const prefix = uniquePrefix('chat-robots');
  afterAll(async () => {
    await deleteKeys(redis, `{${prefix}`);
    redis.disconnect();
  });
  const robot = (name: string, type: RobotConfig['type'] = 'wecom'): RobotConfig => ({ name, type, webhookUrl: '${URL}' });

  it('uses config.robots while Redis has no directory, then the directory, re-read when its version changes', async () => {
    const config = { ...buildConfig({ redis: { keyPrefix: prefix } }, {}), robots: [robot('from-config')] };
    const dir = robotsOf(sendTimeDirectory(redis, config));
    expect([...(await dir.current()).robots.keys()]).toEqual(['from-config']);
    expect((await dir.current()).source).toBe('config');

    const keys = new DirectoryKeys(prefix);
    const write = async (version: number, robots: RobotConfig[]) => {
      await redis.mset(keys.doc, JSON.stringify({ users: [], routes: [], mandatory: [], robots }), keys.version, String(version));
    };
    await write(1, [robot('live-a')]);
    expect([...(await dir.current()).robots.keys()]).toEqual(['live-a']);
    // Same version: the cached list (a doc changed behind the version's back is not re-read).
    await redis.set(keys.doc, JSON.stringify({ users: [], routes: [], mandatory: [], robots: [robot('sneaky')] }));
    expect([...(await dir.current()).robots.keys()]).toEqual(['live-a']);
    await write(2, [robot('live-b', 'feishu')]);
    const list = await dir.current();
    expect(list.source).toBe('directory');
    expect(list.robots.get('live-b')?.type).toBe('feishu');
    expect(list.robots.has('live-a')).toBe(false);
  });
});
