import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '@alertgw/testkit';

const ROOT = path.resolve(__dirname, '../../..');

/** The compiled services, as `npm start` and the Dockerfile run them (npm test and test:chaos build them first). */
export const SERVICE_MAIN = {
  ingest: path.join(ROOT, 'packages/ingest/dist/main.js'),
  'notifier-email': path.join(ROOT, 'packages/notifier-email/dist/main.js'),
  'notifier-sms': path.join(ROOT, 'packages/notifier-sms/dist/main.js'),
  'notifier-chat': path.join(ROOT, 'packages/notifier-chat/dist/main.js'),
} as const;

/** One of the services. */
export type ServiceName = keyof typeof SERVICE_MAIN;

/** Throws the one clear line a run without `npm run build` needs, when a compiled entry point is missing. */
export function requireCompiled(files: readonly string[] = Object.values(SERVICE_MAIN)): void {
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`compiled files missing (${missing.map((f) => path.relative(ROOT, f)).join(', ')}): run \`npm run build\` first (npm test does)`);
}

/**
 * The environment of a child process: the parent's without proxies (every peer is on loopback),
 * without CONFIG or any name in `drop`, plus `extra`.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}, drop: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(https?|all)_proxy$/i.test(key) && key !== 'CONFIG' && !drop.includes(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Milliseconds from SIGTERM to exit (0 when it had already exited). */
  ms: number;
  /** True when it ignored SIGTERM and had to be killed. */
  killed: boolean;
}

/** A real process of the stack, with everything it printed kept for assertions and failure reports. */
export interface ChildService {
  readonly name: string;
  readonly child: ChildProcess;
  /** Every complete line written so far on stdout and stderr, in arrival order. */
  lines(): string[];
  /** The captured output as one block, each line prefixed with the service name. */
  transcript(): string;
  /** Polls `url` until it answers 2xx; throws with the transcript if the process exits first or time runs out. */
  waitReady(url: string, timeoutMs: number): Promise<void>;
  /** SIGTERM, then waits for the exit; SIGKILL after `timeoutMs`, reported as `killed`. */
  stop(timeoutMs?: number): Promise<ChildExit>;
}

/**
 * Spawns `command args` with piped output and keeps every line. Output is never echoed:
 * a passing run stays quiet, a failing one prints `transcript()`.
 */
export function startChild(name: string, command: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): ChildService {
  const child = spawn(command, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const partial = { stdout: '', stderr: '' };
  const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const parts = (partial[stream] + chunk.toString('utf8')).split('\n');
    partial[stream] = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l.trim() !== ''));
  };
  child.stdout!.on('data', collect('stdout'));
  child.stderr!.on('data', collect('stderr'));
  // Without this a spawn failure (ENOENT) would be an unhandled 'error' event.
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => {
      // 'close' comes after both pipes ended, so a last line without "\n" is kept too.
      for (const stream of ['stdout', 'stderr'] as const) if (partial[stream].trim()) lines.push(partial[stream]);
      resolve({ code, signal });
    });
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null || spawnError !== undefined;
  const transcript = () => lines.map((l) => `[${name}] ${l}`).join('\n');

  return {
    name,
    child,
    lines: () => [...lines],
    transcript,
    async waitReady(url, timeoutMs) {
      try {
        await waitFor(
          async () => {
            if (hasExited()) throw new Error(`${name} exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}${spawnError ? `, ${spawnError.message}` : ''})`);
            const res = await fetch(url, { signal: AbortSignal.timeout(1000) }).catch(() => null);
            return res?.ok;
          },
          timeoutMs,
          `${name} to answer ${url}`,
        );
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${transcript()}`);
      }
    },
    async stop(timeoutMs = 15_000) {
      if (hasExited()) return { ...(await exited), ms: 0, killed: false };
      const started = Date.now();
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const first = await Promise.race([exited, timedOut]);
      clearTimeout(timer);
      if (first !== 'timeout') return { ...first, ms: Date.now() - started, killed: false };
      child.kill('SIGKILL');
      return { ...(await exited), ms: Date.now() - started, killed: true };
    },
  };
}
