import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Redis from 'ioredis';
import { stringify } from 'yaml';
import { DirectoryStore } from '@alertgw/shared';
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix } from '@alertgw/testkit';
import type { CliContext } from '../../src/command';
import { runCli } from '../../src/run-cli';

/** The bearer token the test configs accept. */
export const TEST_TOKEN = 'alertctl-test-token';

/** A stream that keeps what was written, for asserting on CLI output. */
export class Capture extends Writable {
  text = '';
  isTTY?: boolean;

  constructor(opts: { isTTY?: boolean; onWrite?: (chunk: string) => void } = {}) {
    super();
    this.isTTY = opts.isTTY;
    this.onWrite = opts.onWrite;
  }

  private readonly onWrite?: (chunk: string) => void;

  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    this.onWrite?.(chunk.toString());
    done();
  }
}

/** A config file on disk with its own key prefix, and the env that goes with it. */
export interface CliSetup {
  prefix: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** Runs `alertctl <argv>` in-process with --config pointing at this setup's file. */
  run(argv: string[], opts?: { stdout?: Capture; signal?: AbortSignal; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): void;
}

/** The routing every alertctl test uses: alice (email + phone) in the mandatory group, token auth. */
export function testConfigTree(prefix: string): Record<string, unknown> {
  return {
    redis: { keyPrefix: prefix },
    log: { level: 'warn' },
    users: [
      { name: 'alice', email: 'alice@example.com', phone: '+8613800000001', groups: ['ops'] },
      { name: 'bob', email: 'bob@example.com', groups: ['ops'] },
    ],
    mandatory: ['group:ops'],
    ingest: { listen: { host: '0.0.0.0', port: '${INGEST_PORT:-9097}' }, auth: { bearerTokens: ['${INGEST_TOKEN}'] } },
  };
}

/** Writes a config for a fresh key prefix into a temp directory. */
export function cliSetup(patch?: (tree: Record<string, unknown>) => void): CliSetup {
  const prefix = uniquePrefix('alertctl');
  const dir = mkdtempSync(path.join(tmpdir(), 'alertctl-'));
  const tree = testConfigTree(prefix);
  patch?.(tree);
  const configPath = path.join(dir, 'config.yaml');
  writeFileSync(configPath, stringify(tree));
  const env: NodeJS.ProcessEnv = { REDIS_URL: testRedisUrl(), INGEST_TOKEN: TEST_TOKEN };
  return {
    prefix,
    configPath,
    env,
    async run(argv, opts = {}) {
      const stdout = opts.stdout ?? new Capture();
      const stderr = new Capture();
      const ctx: CliContext = {
        env: { ...env, ...opts.env },
        cwd: dir,
        stdout,
        stderr,
        signal: opts.signal,
        hostname: 'test-host',
      };
      const code = await runCli([...argv, '--config', configPath], ctx);
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CLI setup per test over real Redis (see useCli). */
export interface CliRun {
  redis: Redis;
  setup: CliSetup;
}

/**
 * Registers the hooks of a command's tests: one Redis client for the file, a fresh CLI setup
 * (config patched by `patch`, a prefix of its own) before each test, its keys deleted after.
 */
export function useCli(patch?: (tree: Record<string, unknown>) => void): CliRun {
  const t = {} as CliRun;
  beforeAll(() => {
    t.redis = testRedis();
  });
  beforeEach(() => {
    t.setup = cliSetup(patch);
  });
  afterEach(async () => {
    await deleteKeys(t.redis, t.setup.prefix);
    t.setup.cleanup();
  });
  afterAll(() => t.redis.quit());
  return t;
}

/** useCli, and the directory store the CLI writes. */
export interface DirectoryCli extends CliRun {
  store: DirectoryStore;
}

/** useCli for a directory command's tests, with its DirectoryStore made before each test. */
export function useDirectoryCli(patch?: (tree: Record<string, unknown>) => void, channels: string[] = ['email', 'sms']): DirectoryCli {
  const t = useCli(patch) as DirectoryCli;
  beforeEach(() => {
    t.store = new DirectoryStore(t.redis, t.setup.prefix, channels);
  });
  return t;
}
