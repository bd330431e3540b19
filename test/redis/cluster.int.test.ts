import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { redisAclRules } from '../../packages/alertctl/src/redis-acl-rules';
import { uniquePrefix } from '@alertgw/testkit';
import { ALERTCTL_BIN, SERVICE_COUNT, startGatewayStack, waitDelivered, type GatewayStack } from './support/gateway-stack';
import { startCluster, type ServerProcess } from './support/redis-servers';

const run = promisify(execFile);
/** An obvious fake; the services read it from REDIS_PASSWORD. */
const PASSWORD = 'fake-cluster-password-1618';

describe('the full path on a 3-master Redis Cluster, as the least-privilege ACL user', () => {
  let dir: string;
  let nodes: ServerProcess[] = [];
  let stack: GatewayStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    await Promise.all(nodes.map((n) => n.kill()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ingest and both notifiers find the slot of {prefix} from any seed node; no command is denied on any node', async () => {
    const started = Date.now();
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-cluster-'));
    nodes = await startCluster(dir, 3);
    const clusterMs = Date.now() - started;
    const prefix = uniquePrefix('cl');
    const admins = nodes.map((n) => new Redis({ host: '127.0.0.1', port: n.port }));
    try {
      for (const admin of admins) {
        await admin.acl('SETUSER', 'alertgw', 'reset', ...redisAclRules(prefix).split(' '), `>${PASSWORD}`);
        await admin.acl('LOG', 'RESET');
      }
      // Which master holds the gateway's slot, and which don't: a seed list without it still works.
      const slot = Number(await admins[0].cluster('KEYSLOT', `{${prefix}}`));
      const ranges = await admins[0].cluster('SLOTS');
      const owner = Number(ranges.find(([from, to]) => slot >= from && slot <= to)![2][1]);
      const seeds = nodes.filter((n) => n.port !== owner).map((n) => `127.0.0.1:${n.port}`);
      expect(seeds).toHaveLength(2);

      stack = await startGatewayStack({
        dir,
        keyPrefix: prefix,
        redis: { url: '', cluster: { nodes: seeds }, username: 'alertgw', password: '${REDIS_PASSWORD}' },
        env: { REDIS_PASSWORD: PASSWORD },
      });
      const posted = Date.now();
      expect([await stack.post(1), await stack.post(2), await stack.post(3)]).toEqual([200, 200, 200]);
      await waitDelivered(stack, [1, 2, 3], 15_000);
      const deliveredMs = Date.now() - posted;

      const cli = await run(process.execPath, [ALERTCTL_BIN, 'queues', '--config', stack.configFile], { env: stack.env });
      expect(cli.stdout).toContain(`Queues in cluster ${seeds.join(',')}`);
      const exits = await stack.stop();
      const output = stack.output();
      stack = undefined;
      expect(exits).toEqual(Array(SERVICE_COUNT).fill(0));

      // Every gateway key sits in one of its two slots (queues and records; the directory); nothing was denied anywhere.
      const directorySlot = Number(await admins[0].cluster('KEYSLOT', `{${prefix}:directory}`));
      // COUNTKEYSINSLOT counts on the node asked, so every node is asked for both slots.
      const slotCounts = await Promise.all(
        [slot, directorySlot].map(async (sl) => (await Promise.all(admins.map(async (a) => Number(await a.cluster('COUNTKEYSINSLOT', sl))))).reduce((x, y) => x + y, 0)),
      );
      const keysOn = await Promise.all(admins.map((a) => a.dbsize()));
      expect(slotCounts[0]).toBeGreaterThan(0);
      expect(slotCounts[1]).toBeGreaterThan(0);
      expect(keysOn.reduce((a, b) => a + b, 0)).toBe(slotCounts[0] + slotCounts[1]);
      for (const admin of admins) expect(await admin.acl('LOG')).toEqual([]);
      expect(output.split('\n').filter((l) => l.includes('"message":"using Redis"') && l.includes('"mode":"cluster"'))).toHaveLength(SERVICE_COUNT);
      expect(output).not.toContain(PASSWORD);
      process.stdout.write(
        `redis Cluster: 3 masters up in ${clusterMs} ms; slot ${slot} on :${owner}, seeded with the other two; 3 probes delivered (mail + 2 SMS each) in ${deliveredMs} ms as ACL user alertgw, 0 denials; total ${Date.now() - started} ms\n`,
      );
    } finally {
      for (const admin of admins) admin.disconnect();
    }
  }, 40_000);
});
