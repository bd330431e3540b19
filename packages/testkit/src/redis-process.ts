import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { answersPing, freePort } from '@alertgw/shared';

/** A private redis-server that a test can kill and start again on the same port. */
export interface RedisProcess {
  url: string;
  port: number;
  /** Kills the server (SIGKILL: like a crash, nothing more is saved) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty, or from its AOF) and waits until it answers PING. */
  start(): Promise<void>;
}

/** Append-only-file persistence of a RedisProcess: what a restart after SIGKILL finds again. */
export interface RedisPersistence {
  /** Directory of the AOF (created if missing; the caller removes it). */
  dir: string;
  appendfsync: 'always' | 'everysec';
}

/**
 * Starts `redis-server` from PATH on a free loopback port, for tests of what a client does
 * while Redis is away and after it comes back: without persistence by default, or with an
 * AOF in `persistence.dir` so a restart after SIGKILL loads what was acknowledged.
 */
export async function startRedisProcess(persistence?: RedisPersistence): Promise<RedisProcess> {
  const port = await freePort();
  if (persistence) mkdirSync(persistence.dir, { recursive: true });
  const aof = persistence
    ? ['--appendonly', 'yes', '--appendfsync', persistence.appendfsync, '--dir', persistence.dir]
    : ['--appendonly', 'no'];
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const proc = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', ...aof], {
      stdio: 'ignore',
    });
    child = proc;
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited with ${code}`)));
    });
    failed.catch(() => {});
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await Promise.race([answersPing('127.0.0.1', port, 200), failed])) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 10 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };

  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, stop, start };
}
