import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig, describeRedis, describeRedisLine, GatewayError, redisMode } from '@alertgw/shared';

/** The problems buildConfig lists for a redis section, as "path: message" lines. */
function problemsOf(redis: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    buildConfig({ redis }, env);
    return [];
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    return err.message.split('\n').slice(1).map((l) => l.trim());
  }
}

const FAKE_PASSWORD = 'fake-redis-pass-123';

describe('the redis section of the configuration', () => {
  test('a password typed into the file is refused, in redis.password and in the url; the message never echoes it', () => {
    const problems = [
      ...problemsOf({ password: FAKE_PASSWORD }),
      ...problemsOf({ url: `redis://alertgw:${FAKE_PASSWORD}@127.0.0.1:6379` }),
      ...problemsOf({ sentinel: { addresses: ['127.0.0.1:26379'], masterName: 'm', password: FAKE_PASSWORD } }),
    ];
    expect(problems).toEqual([
      expect.stringMatching(/^redis\.password: must come from an environment variable/),
      expect.stringMatching(/^redis\.url: holds a password/),
      expect.stringMatching(/^redis\.sentinel\.password: must come from an environment variable/),
    ]);
    expect(problems.join('\n')).not.toContain(FAKE_PASSWORD);
  });

  test('passwords come from ${VAR} or VAR_FILE, also inside the url; a user name alone is no secret', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alertgw-redis-cfg-'));
    try {
      const file = path.join(dir, 'pass');
      writeFileSync(file, `${FAKE_PASSWORD}\n`);
      const fromFile = buildConfig({ redis: { username: 'alertgw', password: '${REDIS_PASSWORD}' } }, { REDIS_PASSWORD_FILE: file });
      expect(fromFile.redis).toMatchObject({ username: 'alertgw', password: FAKE_PASSWORD });
      const inUrl = buildConfig({ redis: { url: 'redis://alertgw:${REDIS_PASSWORD}@h:6379', keyPrefix: 'x' } }, { REDIS_PASSWORD: FAKE_PASSWORD });
      expect(inUrl.redis.url).toBe(`redis://alertgw:${FAKE_PASSWORD}@h:6379`);
      const wholeUrl = buildConfig({ redis: { url: '${REDIS_URL}' } }, { REDIS_URL: `rediss://:${FAKE_PASSWORD}@h:6380` });
      expect(describeRedis(wholeUrl.redis, wholeUrl.redis.url)).toEqual({ mode: 'single', url: 'rediss://:***@h:6380', tls: true, auth: 'password' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Sentinel and Cluster settings are checked together; addresses are host:port', () => {
    expect(problemsOf({ sentinel: { addresses: ['127.0.0.1:26379'] } })).toEqual([expect.stringMatching(/^redis\.sentinel\.masterName: is required/)]);
    expect(problemsOf({ sentinel: { addresses: ['a:1'], masterName: 'm' }, cluster: { nodes: ['b:2'] } })).toEqual([
      expect.stringMatching(/^redis\.sentinel\.addresses: and redis\.cluster\.nodes are both set/),
    ]);
    expect(problemsOf({ url: 'redis://h:1', cluster: { nodes: ['b:2'] } })).toEqual([expect.stringMatching(/^redis\.url: must be empty/)]);
    expect(problemsOf({ cluster: { nodes: ['no-port'] } })).toEqual([expect.stringMatching(/^redis\.cluster\.nodes\[0\]/)]);
    expect(problemsOf({ tls: { cert: '/c.pem' } })).toEqual([
      expect.stringMatching(/^redis\.tls\.enabled: is false/),
      expect.stringMatching(/^redis\.tls\.key: is required/),
    ]);
    const sentinel = buildConfig({ redis: { sentinel: { addresses: ['[::1]:26379', 's2:26379'], masterName: 'gw', password: '${S}' } } }, { S: FAKE_PASSWORD });
    expect(redisMode(sentinel.redis)).toBe('sentinel');
    const described = describeRedis(sentinel.redis, '');
    expect(described).toEqual({ mode: 'sentinel', sentinels: ['[::1]:26379', 's2:26379'], masterName: 'gw', tls: false, auth: 'none' });
    expect(JSON.stringify(described)).not.toContain(FAKE_PASSWORD);
  });

  test('the one-line description hides the password, even one with "@" or "/" in it', () => {
    const single = buildConfig({}, {}).redis;
    expect(describeRedisLine(single, 'redis://alertgw:p@ss/w@h:6379/0')).toBe('redis://alertgw:***@h:6379/0');
    expect(describeRedisLine(single, 'rediss://:secret@h')).toBe('rediss://:***@h');
    expect(describeRedisLine(single, 'redis://h:6379')).toBe('redis://h:6379');
    expect(describeRedis(single, 'redis://:p%2Fss@h:6379')).toMatchObject({ url: 'redis://:***@h:6379', auth: 'password' });
  });
});
