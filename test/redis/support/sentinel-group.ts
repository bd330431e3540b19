import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort, waitFor } from '@alertgw/shared/testing';
import { spawnRedisServer, type ServerProcess } from './redis-servers';

/** A primary, its replica and three sentinels watching them, all on private loopback ports. */
export interface SentinelGroup {
  masterName: string;
  primary: ServerProcess;
  replica: ServerProcess;
  sentinels: ServerProcess[];
  /** "127.0.0.1:<port>" of each sentinel, as the config lists them. */
  addresses: string[];
  /** The port the sentinels name as primary now. */
  currentPrimaryPort(): Promise<number>;
  stop(): Promise<void>;
}

/** How long a sentinel waits before it calls the primary down; the failover follows within seconds. */
export const DOWN_AFTER_MS = 1000;

/**
 * Starts a primary, a replica of it (waits for the link) and three sentinels
 * (`redis-server sentinel.conf --sentinel`, quorum 2), and waits until every sentinel
 * knows the replica and the two other sentinels, so a failover can be agreed at once.
 */
export async function startSentinelGroup(dir: string, masterName = 'alertgw'): Promise<SentinelGroup> {
  const started: ServerProcess[] = [];
  const clients: Redis[] = [];
  try {
    const primary = await spawnRedisServer(dir, []);
    started.push(primary);
    const replica = await spawnRedisServer(dir, ['--replicaof', '127.0.0.1', String(primary.port)]);
    started.push(replica);
    const replicaClient = new Redis({ host: '127.0.0.1', port: replica.port });
    clients.push(replicaClient);
    await waitFor(async () => (await replicaClient.info('replication')).includes('master_link_status:up'), 10_000, 'replica linked');

    const sentinels: ServerProcess[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = path.join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its file (known replicas, sentinels, epochs): it must be writable.
      writeFileSync(
        conf,
        [
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${masterName} 10000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = await spawnRedisServer(dir, [], { port, leadingArgs: [conf, '--sentinel'] });
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    const sentinelClients = sentinels.map((s) => new Redis({ host: '127.0.0.1', port: s.port }));
    clients.push(...sentinelClients);
    await waitFor(
      async () => {
        for (const c of sentinelClients) {
          const replicas = (await c.call('SENTINEL', 'REPLICAS', masterName)) as unknown[];
          const others = (await c.call('SENTINEL', 'SENTINELS', masterName)) as unknown[];
          if (replicas.length < 1 || others.length < 2) return false;
        }
        return true;
      },
      15_000,
      'sentinels to know the replica and each other',
    );
    const [ask] = sentinelClients;
    return {
      masterName,
      primary,
      replica,
      sentinels,
      addresses: sentinels.map((s) => `127.0.0.1:${s.port}`),
      async currentPrimaryPort() {
        const [, port] = (await ask.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
        return Number(port);
      },
      async stop() {
        for (const c of clients) c.disconnect();
        await Promise.all(started.map((s) => s.kill()));
      },
    };
  } catch (err) {
    for (const c of clients) c.disconnect();
    await Promise.all(started.map((s) => s.kill()));
    throw err;
  }
}
