import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import { startChild, type ChildService } from './support/child-service';

// The compiled ingest logs which Redis it uses, never its password, even one holding an unencoded "@"
// (the URL parsers split at the last one). Needs `npm run build`.

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'packages/ingest/dist/main.js');

describe('ingest startup log of the Redis URL', () => {
  let dir: string;
  let child: ChildService | undefined;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ingest-redis-log-'));
  });
  afterAll(async () => {
    await child?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the host, not any part of the password', async () => {
    const port = await freePort();
    const file = path.join(dir, 'config.yaml');
    writeFileSync(file, stringify({ redis: { keyPrefix: uniquePrefix('urllog') }, log: { level: 'info' }, ingest: { listen: { host: '127.0.0.1', port } } }));
    const { host } = new URL(testRedisUrl());
    const url = `redis://:fake@pass-word@${host}/0`;
    child = startChild('ingest', process.execPath, [MAIN, '--config', file], { env: { PATH: process.env.PATH, REDIS_URL: url }, cwd: dir });
    const line = await waitFor(() => child!.lines().find((l) => l.includes('using Redis')), 20_000, 'the "using Redis" line');
    expect(line).toContain(host);
    expect(line).not.toMatch(/fake|pass-word/);
    expect(child.lines().join('\n')).not.toMatch(/pass-word/);
  });
});
