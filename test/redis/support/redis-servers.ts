import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { answersPing, freePort, waitFor } from '@alertgw/testkit';

const run = promisify(execFile);

/** One private redis-server (or sentinel) process of a test. */
export interface ServerProcess {
  port: number;
  child: ChildProcess;
  /** Sends `signal` (default SIGKILL: a crash) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns `redis-server <args>` on `port` (a free one by default) in `dir`, never on 6379, and
 * waits until `ready` (default: PING answers PONG in plain text). Nothing is persisted.
 */
export async function spawnRedisServer(
  dir: string,
  args: string[],
  opts: { port?: number; ready?: (port: number) => Promise<boolean>; leadingArgs?: string[] } = {},
): Promise<ServerProcess> {
  const port = opts.port ?? (await freePort());
  const workDir = path.join(dir, `redis-${port}`);
  mkdirSync(workDir, { recursive: true });
  const child = spawn('redis-server', [...(opts.leadingArgs ?? []), '--bind', '127.0.0.1', '--port', String(port), '--dir', workDir, '--save', '', '--appendonly', 'no', ...args], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: ServerProcess = {
    port,
    child,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  const ready = opts.ready ?? ((p: number) => answersPing('127.0.0.1', p, 200));
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode} (args: ${args.join(' ')})`);
      return ready(port);
    }, 10_000, `redis-server on ${port}`);
  } catch (err) {
    await server.kill();
    throw err;
  }
  return server;
}

/** A port whose cluster bus port (+10000) is free too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 55_000 && !(await answersPing('127.0.0.1', port + 10_000, 200))) return port;
  }
}

/** Starts `masters` cluster-enabled nodes, joins them with redis-cli --cluster create and waits for cluster_state:ok. */
export async function startCluster(dir: string, masters = 3): Promise<ServerProcess[]> {
  const nodes: ServerProcess[] = [];
  try {
    for (let i = 0; i < masters; i++) nodes.push(await spawnRedisServer(dir, ['--cluster-enabled', 'yes', '--cluster-node-timeout', '2000'], { port: await clusterPort() }));
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const n of nodes) {
      await waitFor(async () => (await run('redis-cli', ['-p', String(n.port), 'cluster', 'info'])).stdout.includes('cluster_state:ok'), 20_000, 'cluster_state:ok');
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.kill()));
    throw err;
  }
  return nodes;
}
