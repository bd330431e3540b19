import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { deleteKeys, testRedis } from '@alertgw/testkit';
import { cliSetup, type CliSetup } from './support/cli';
import { deadLetter, payload, queueOf } from './support/tasks';

const BIN = path.resolve(__dirname, '../bin/alertctl.js');
const DIST_MAIN = path.resolve(__dirname, '../dist/main.js');

/** Runs the built CLI as a user would (`npx alertctl …`) and collects its output. */
function alertctl(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string; lingerMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let lastOutput = Date.now();
    child.stdout.on('data', (c: Buffer) => {
      stdout += c;
      lastOutput = Date.now();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c;
      lastOutput = Date.now();
    });
    child.once('error', reject);
    // lingerMs: how long the process stayed alive after its last output.
    child.once('exit', (code) => child.once('close', () => resolve({ code, stdout, stderr, lingerMs: Date.now() - lastOutput })));
  });
}

describe('the alertctl binary (built: npm run build)', () => {
  let redis: Redis;
  let setup: CliSetup;

  beforeAll(() => {
    if (!existsSync(DIST_MAIN)) {
      throw new Error(`${DIST_MAIN} is missing: run \`npm run build\` first (npm test does it in its typecheck step)`);
    }
    redis = testRedis();
    setup = cliSetup();
  });
  afterAll(async () => {
    await deleteKeys(redis, setup.prefix);
    setup.cleanup();
    await redis.quit();
  });

  it('prints help (exit 0) and rejects an unknown command (exit 2)', async () => {
    const help = await alertctl(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: alertctl <command> \[options\]/);
    const bad = await alertctl(['nope'], {});
    expect(bad).toEqual(expect.objectContaining({ code: 2, stdout: '', stderr: expect.stringMatching(/^alertctl: unknown command "nope"/) }));
  });

  it('reads the queues and replays a dead letter against real Redis, then exits by itself', async () => {
    const email = queueOf(redis, setup.prefix, 'email');
    const id = await deadLetter(email, payload('BinTest', [{ name: 'bob', address: 'bob@example.com' }]));
    const env = { ...setup.env, CONFIG: setup.configPath };
    const queues = await alertctl(['queues', 'email'], env);
    expect(queues.stderr).toBe('');
    expect(queues.code).toBe(0);
    expect(queues.stdout).toMatch(new RegExp(`^email\\s+${id}\\s+\\S+ ago\\s+1/3\\s+BinTest firing\\s+bob@example.com`, 'm'));

    const replay = await alertctl(['replay', 'email', id], env);
    expect(replay).toEqual(expect.objectContaining({ code: 0, stdout: 'replayed 1 of 1 task in email\n', stderr: '' }));
    expect(await redis.zcard(email.keys.dead)).toBe(0);
  });

  it('fails fast with one line when Redis is not there', async () => {
    const r = await alertctl(['queues'], { ...setup.env, REDIS_URL: 'redis://127.0.0.1:1', CONFIG: setup.configPath });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('alertctl queues: cannot reach Redis at redis://127.0.0.1:1: ECONNREFUSED (set REDIS_URL or redis.url in the config)\n');
    // No reconnect loop and no leftover timer keeps the process alive after the message.
    expect(r.lingerMs).toBeLessThan(1000);
  });
});
