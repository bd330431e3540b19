import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort, testRedisUrl, uniquePrefix } from '@alertgw/testkit';
import { startChild, type ChildService } from './support/child-service';

// The compiled ingest refuses to start with a webhook open to the network without credentials,
// and starts when the operator says so (ingest.auth.allowAnonymous). Needs `npm run build`.

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'packages/ingest/dist/main.js');

describe('ingest on a non-loopback listener', () => {
  let dir: string;
  const children: ChildService[] = [];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ingest-exposure-'));
  });
  afterAll(async () => {
    for (const c of children) await c.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (name: string, auth: Record<string, unknown>, port: number) => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, stringify({ redis: { keyPrefix: uniquePrefix('exposure') }, log: { level: 'warn' }, ingest: { listen: { host: '0.0.0.0', port }, auth } }));
    const child = startChild(name, process.execPath, [MAIN, '--config', file], { env: { PATH: process.env.PATH, REDIS_URL: testRedisUrl() }, cwd: dir });
    children.push(child);
    return { child, file };
  };

  it('refuses to start without webhook credentials: exit 1, one config error naming ingest.auth', async () => {
    const port = await freePort();
    const { child, file } = start('anonymous', {}, port);
    // Attached before anything awaits, so the close cannot be missed; the test times out if ingest keeps running.
    const [code, signal] = await once(child.child, 'close');
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    const out = child.lines();
    expect(out[0]).toBe(`ingest: invalid configuration in ${file} (1 problem):`);
    expect(out[1]).toMatch(/^ {2}ingest\.auth: has no credentials while ingest\.listen\.host \(0\.0\.0\.0\) is reachable from other machines/);
    expect(out).toHaveLength(2);
    // Nothing was listening meanwhile.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('starts with ingest.auth.allowAnonymous: true', async () => {
    const port = await freePort();
    const { child } = start('allowed', { allowAnonymous: true }, port);
    await child.waitReady(`http://127.0.0.1:${port}/healthz`, 20_000);
    expect((await child.stop()).code).toBe(0);
  });
});
