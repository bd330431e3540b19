import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { GatewayError } from '../errors';

/** A Redis the caller may use, and how to let go of it. */
export interface LocatedRedis {
  url: string;
  /** Where it came from, for the one line a service prints at startup. */
  source: 'env' | 'default' | 'private' | 'container';
  stop(): Promise<void>;
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** Start a private redis-server with AOF on in this directory; otherwise it keeps nothing. */
  dataDir?: string;
  /** Try testcontainers when nothing else works (machines with Docker). */
  allowContainer?: boolean;
}

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/**
 * Finds a Redis in the documented order: REDIS_URL, then 127.0.0.1:6379, then a private
 * redis-server from PATH on a free port, then testcontainers; else throws one clear line.
 */
export async function locateRedis(opts: LocateOptions = {}): Promise<LocatedRedis> {
  const env = opts.env ?? process.env;
  if (env.REDIS_URL) return { url: env.REDIS_URL, source: 'env', stop: async () => {} };
  if (await answersPing('127.0.0.1', 6379)) return { url: DEFAULT_URL, source: 'default', stop: async () => {} };
  const priv = await startPrivateRedis(opts.dataDir).catch(() => null);
  if (priv) return priv;
  if (opts.allowContainer !== false) {
    const container = await startContainerRedis().catch(() => null);
    if (container) return container;
  }
  throw new GatewayError(
    'REDIS_NOT_FOUND',
    'No Redis found: set REDIS_URL, run redis-server on 127.0.0.1:6379, or install it (apt-get install redis-server).',
  );
}

/** True when something at host:port answers PING with PONG within a second. */
export function answersPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (buf) => done(buf.toString().startsWith('+PONG')));
  });
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` from PATH on a free loopback port and waits until it answers. */
export async function startPrivateRedis(dataDir?: string, extraArgs: string[] = []): Promise<LocatedRedis> {
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', ''];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    args.push('--dir', dataDir, '--appendonly', 'yes');
  } else {
    args.push('--appendonly', 'no');
  }
  const child: ChildProcess = spawn('redis-server', [...args, ...extraArgs], { stdio: 'ignore' });
  const spawnFailed = new Promise<never>((_, reject) => child.once('error', reject));
  await Promise.race([spawnFailed, waitUntil(() => answersPing('127.0.0.1', port), 10_000)]);
  return {
    url: `redis://127.0.0.1:${port}`,
    source: 'private',
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function startContainerRedis(): Promise<LocatedRedis> {
  // Loaded lazily: testcontainers is only useful (and only installed for dev) where Docker runs.
  const { GenericContainer } = await import('testcontainers');
  const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    source: 'container',
    stop: async () => {
      await container.stop();
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
