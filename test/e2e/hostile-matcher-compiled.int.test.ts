import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { SignJWT } from 'jose';
import { stringify } from 'yaml';
import { abLabel, AM_FIXTURES_DIR, deleteKeys, freePort, testRedisUrl, uniquePrefix } from '@alertgw/testkit';
import { startChild, type ChildService } from './support/child-service';

// The compiled ingest (dist/main.js) runs matchers on its worker thread (dist/.../match-worker.js):
// a counting regexp over a 16k label is stopped at the 1 s deadline while the service answers.
// Needs `npm run build`.

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'packages/ingest/dist/main.js');
const TOKEN = `fake-ingest-token-${randomBytes(6).toString('hex')}`;
const JWT_SECRET = randomBytes(32).toString('hex');

describe('compiled ingest with a costly matcher', () => {
  let dir: string;
  let ingest: ChildService;
  let url: string;
  let viewer: string;
  const prefix = uniquePrefix('deadline-e2e');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hostile-matcher-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const file = path.join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      stringify({
        redis: { keyPrefix: prefix },
        log: { level: 'warn' },
        ingest: { listen: { host: '127.0.0.1', port }, auth: { bearerTokens: ['${E2E_INGEST_TOKEN}'] } },
        auth: { jwt: { hs256Secret: '${E2E_JWT_SECRET}' } },
      }),
    );
    const env = { PATH: process.env.PATH, REDIS_URL: testRedisUrl(), E2E_INGEST_TOKEN: TOKEN, E2E_JWT_SECRET: JWT_SECRET };
    ingest = startChild('ingest', process.execPath, [MAIN, '--config', file], { env, cwd: dir });
    await ingest.waitReady(`${url}/healthz`, 20_000);
    viewer = await new SignJWT({ role: 'viewer' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('e2e')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const fixture = JSON.parse(readFileSync(path.join(AM_FIXTURES_DIR, 'firing-one-alert-bearer.json'), 'utf8')).body;
    const alert = { ...fixture.alerts[0], labels: { ...fixture.alerts[0].labels, instance: abLabel(5, 16_384) } };
    const res = await fetch(`${url}/webhook/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ ...fixture, alerts: [alert] }),
    });
    expect(res.status).toBe(200);
  }, 30_000);
  afterAll(async () => {
    await ingest?.stop();
    const redis = new Redis(testRedisUrl());
    await deleteKeys(redis, prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  const list = (matcher: string) => fetch(`${url}/api/v1/alerts?matcher=${encodeURIComponent(matcher)}`, { headers: { authorization: `Bearer ${viewer}` } });

  it('answers 400 at the deadline, /healthz answers meanwhile, and the next matcher works', async () => {
    let start = Date.now();
    const cold = await list('instance=~"[ab]+"');
    const coldMs = Date.now() - start;
    expect(cold.status).toBe(200);
    expect(((await cold.json()) as { items: unknown[] }).items).toHaveLength(1);

    start = Date.now();
    let done = false;
    const costly = list('instance=~"[ab]*a[ab]{999}x"').then(async (r) => ({ status: r.status, body: (await r.json()) as { message: string }, ms: Date.now() - start }));
    void costly.finally(() => (done = true));
    const health: number[] = [];
    while (!done) {
      const t = Date.now();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      health.push(Date.now() - t);
    }
    const c = await costly;
    start = Date.now();
    const next = await list('instance!~"[ab]+"');
    const nextMs = Date.now() - start;
    console.log(
      `compiled ingest: first matcher (worker start) ${coldMs} ms; costly ${c.status} after ${c.ms} ms, ` +
        `${health.length} /healthz meanwhile (slowest ${Math.max(...health)} ms); next on a fresh worker ${next.status} after ${nextMs} ms`,
    );
    expect(c.status).toBe(400);
    expect(c.body.message).toMatch(/^matcher too costly/);
    expect(c.ms).toBeLessThan(1_500);
    expect(health.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...health)).toBeLessThan(200);
    expect(next.status).toBe(200);
    expect(((await next.json()) as { items: unknown[] }).items).toHaveLength(0);
  });
});
