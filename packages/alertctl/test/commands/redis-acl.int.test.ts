import Redis from 'ioredis';
import { cliSetup, type CliSetup } from '../support/cli';

const USER = `alertctl-acl-test-${process.pid}`;

describe('alertctl redis-acl', () => {
  let setup: CliSetup;
  let admin: Redis;
  beforeAll(() => {
    admin = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
  });
  beforeEach(() => {
    setup = cliSetup((tree) => {
      (tree.redis as Record<string, unknown>) = { ...(tree.redis as object), keyPrefix: 'aclcli' };
    });
  });
  afterEach(() => setup.cleanup());
  afterAll(async () => {
    await admin.call('ACL', 'DELUSER', USER).catch(() => undefined);
    admin.disconnect();
  });

  it("prints the rules for the configuration's prefix, and a SETUSER command Redis takes and enforces", async () => {
    const rules = await setup.run(['redis-acl']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/^on ~\{aclcli\}\* ~\{aclcli:directory\}\* resetchannels .* -@all \+ping .*\n$/);

    const cmd = await setup.run(['redis-acl', '--prefix', 'other', '--user', USER]);
    expect(cmd.code).toBe(0);
    const words = cmd.stdout.trim().split(' ');
    expect(words.slice(0, 4)).toEqual(['ACL', 'SETUSER', USER, 'reset']);
    await admin.call('ACL', 'SETUSER', USER, ...words.slice(3), '>acl-cli-test-password');

    const user = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { username: USER, password: 'acl-cli-test-password', lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await user.set('{other}:probe', '1', 'PX', 10_000);
      await expect(user.set('{aclcli}:probe', '1')).rejects.toThrow(/NOPERM/);
      await expect(user.call('FLUSHALL')).rejects.toThrow(/NOPERM/);
    } finally {
      user.disconnect();
    }
  });

  it('refuses a prefix or user name that could change the rule line', async () => {
    for (const bad of ['a b', 'x}*', '*', '']) {
      const r = await setup.run(['redis-acl', '--prefix', bad]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
    }
    const r = await setup.run(['redis-acl', '--prefix', 'ok', '--user', 'u >pw']);
    expect(r.code).toBe(2);
  });
});
