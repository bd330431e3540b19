import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Redis from 'ioredis';
import { answersPing, freePort, waitFor } from '@alertgw/testkit';
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
 * (`redis-server sentinel.conf --sentinel`, quorum 2, requirepass `password`), and waits
 * until every sentinel knows the replica and the two other sentinels, so a failover can be
 * agreed at once.
 */
export async function startSentinelGroup(dir: string, opts: { password: string; masterName?: string }): Promise<SentinelGroup> {
  const masterName = opts.masterName ?? 'alertgw';
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

    // Each sentinel's file already names the replica and the other two (with their ids), as
    // sentinels write it themselves once they met: no waiting for the 2 s hello rounds.
    const ports = [await freePort(), await freePort(), await freePort()];
    const ids = ports.map(() => randomBytes(20).toString('hex'));
    const sentinels: ServerProcess[] = [];
    for (const [i, port] of ports.entries()) {
      const conf = path.join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its file (known replicas, sentinels, epochs): it must be writable.
      writeFileSync(
        conf,
        [
          `sentinel myid ${ids[i]}`,
          `requirepass ${opts.password}`,
          // Sentinels talk to each other with this password too.
          `sentinel sentinel-pass ${opts.password}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${masterName} ${DOWN_AFTER_MS}`,
          `sentinel failover-timeout ${masterName} 10000`,
          `sentinel parallel-syncs ${masterName} 1`,
          `sentinel known-replica ${masterName} 127.0.0.1 ${replica.port}`,
          ...ports.flatMap((other, j) => (j === i ? [] : [`sentinel known-sentinel ${masterName} 127.0.0.1 ${other} ${ids[j]}`])),
          '',
        ].join('\n'),
      );
      const sentinel = await spawnRedisServer(dir, [], {
        port,
        leadingArgs: [conf, '--sentinel'],
        ready: async (p) => (await answersPing('127.0.0.1', p, 200)) || (await answersAuthRequired(p)),
      });
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    const sentinelClients = sentinels.map((s) => new Redis({ host: '127.0.0.1', port: s.port, password: opts.password }));
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

/** True when a server on `port` answers PING with NOAUTH: it is up and wants a password. */
function answersAuthRequired(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(200, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (buf) => done(buf.toString().startsWith('-NOAUTH')));
  });
}
