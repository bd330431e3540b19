import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { REDIS_COMMANDS, redisAclRules } from '../../packages/alertctl/src/redis-acl-rules';
import { uniquePrefix } from '@alertgw/testkit';
import { ALERTCTL_BIN, SERVICE_COUNT, startGatewayStack, waitDelivered, type GatewayStack } from './support/gateway-stack';
import { spawnRedisServer, type ServerProcess } from './support/redis-servers';

const run = promisify(execFile);
/** Obvious fakes. The services read theirs from REDIS_PASSWORD_FILE. */
const PASSWORD = 'fake-acl-password-4711';
const ADMIN_PASSWORD = 'fake-admin-password-0815';

describe('the full path as a least-privilege ACL user (password from REDIS_PASSWORD_FILE)', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let admin: Redis | undefined;
  let stack: GatewayStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    admin?.disconnect();
    await server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ingest → both notifiers, alertctl queues and timeline run with no command or key denied; the password is never printed', async () => {
    const started = Date.now();
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-acl-'));
    server = await spawnRedisServer(dir, []);
    const prefix = uniquePrefix('acl');
    const rules = redisAclRules(prefix);
    const boot = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    await boot.connect();
    await boot.acl('SETUSER', 'admin', 'on', `>${ADMIN_PASSWORD}`, '~*', '&*', '+@all');
    await boot.acl('SETUSER', 'alertgw', 'reset', ...rules.split(' '), `>${PASSWORD}`);
    // With the default user off, a service that forgot to authenticate cannot get in.
    await boot.acl('SETUSER', 'default', 'off');
    boot.disconnect();
    admin = new Redis({ port: server.port, host: '127.0.0.1', username: 'admin', password: ADMIN_PASSWORD });

    // The grant is real: outside its keys, or with a command not listed, the user is refused.
    const probe = new Redis({ port: server.port, host: '127.0.0.1', username: 'alertgw', password: PASSWORD });
    await expect(probe.get('someone-else:key')).rejects.toThrow(/NOPERM/);
    await expect(probe.flushall()).rejects.toThrow(/NOPERM/);
    await expect(probe.keys(`{${prefix}}*`)).rejects.toThrow(/NOPERM/);
    probe.disconnect();
    // From here on, INFO commandstats and ACL LOG see only the gateway (and this test's admin reads).
    await admin.config('RESETSTAT');
    await admin.acl('LOG', 'RESET');

    const passwordFile = path.join(dir, 'redis-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    stack = await startGatewayStack({
      dir,
      keyPrefix: prefix,
      redis: { url: `redis://127.0.0.1:${server.port}`, username: 'alertgw', password: '${REDIS_PASSWORD}' },
      env: { REDIS_PASSWORD_FILE: passwordFile },
    });
    const posted = Date.now();
    const statuses = [await stack.post(1), await stack.post(2)];
    expect(statuses).toEqual([200, 200]);
    await waitDelivered(stack, [1, 2], 15_000);
    const deliveredMs = Date.now() - posted;

    const cli = await run(process.execPath, [ALERTCTL_BIN, 'queues', '--config', stack.configFile], { env: stack.env });
    expect(cli.stdout).toContain('Queues in redis://127.0.0.1:');
    const timeline = await run(process.execPath, [ALERTCTL_BIN, 'timeline', stack.fingerprint(1), '--config', stack.configFile], { env: stack.env });
    expect(timeline.stdout).toContain('task-created');

    const exits = await stack.stop();
    const output = stack.output();
    stack = undefined;
    expect(exits).toEqual(Array(SERVICE_COUNT).fill(0));

    const denied = (await admin.acl('LOG')) as unknown[];
    expect(denied).toEqual([]);
    const stats = (await admin.info('commandstats')).split('\n').map((l) => /^cmdstat_([^:]+):calls=(\d+)/.exec(l.trim())).filter((m) => m !== null);
    // The test's own admin connection used these; every other command came from the gateway.
    const adminOnly = new Set(['info', 'acl|log', 'config|resetstat', 'auth', 'hello']);
    const used = stats.map((m) => m[1].toLowerCase()).filter((c) => !adminOnly.has(c)).sort();
    expect(used.filter((c) => !REDIS_COMMANDS.includes(c))).toEqual([]);
    expect(used).toEqual(expect.arrayContaining(['evalsha', 'bzpopmin', 'subscribe', 'ping', 'time', 'lrange']));

    const usingRedis = output.split('\n').filter((l) => l.includes('"message":"using Redis"'));
    expect(usingRedis).toHaveLength(SERVICE_COUNT);
    for (const line of usingRedis) expect(line).toMatch(/"auth":"password".*"url":"redis:\/\/127\.0\.0\.1:\d+","user":"alertgw"/);
    expect(output).not.toContain(PASSWORD);
    expect(cli.stdout + cli.stderr + timeline.stdout + timeline.stderr).not.toContain(PASSWORD);
    // INFO is ioredis' ready check; the admin reads above use it too, so it is not counted here.
    const unused = REDIS_COMMANDS.filter((c) => !used.includes(c) && c !== 'info');
    process.stdout.write(
      `redis ACL: delivered 2 probes (mail + 2 SMS each) in ${deliveredMs} ms as user alertgw, 0 denials; ` +
        `${used.length} commands used (+ info): ${used.join(' ')}; granted but not exercised here: ${unused.join(' ')}; total ${Date.now() - started} ms\n`,
    );
  }, 40_000);
});
