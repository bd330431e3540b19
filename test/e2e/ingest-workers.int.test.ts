import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import Redis from 'ioredis';
import { AM_FIXTURES_DIR, deleteKeys, freePort, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import { childEnv, requireCompiled, SERVICE_MAIN, startChild, type ChildService } from './support/child-service';

// `ingest.workers: 2`: the compiled ingest serves the webhook from two processes on one port, and
// SIGTERM stops both within docker stop's 10 s. Needs `npm run build`.

/** POSTs a delivery on a connection of its own (the cluster hands out connections, not requests). */
function post(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { port, host: '127.0.0.1', method: 'POST', path: '/webhook/alertmanager', agent: false, headers: { 'content-type': 'application/json', authorization: 'Bearer workers-token' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('ingest with two workers', () => {
  let dir: string;
  let child: ChildService | undefined;
  let redis: Redis;
  const prefix = uniquePrefix('workers');
  beforeAll(() => {
    requireCompiled([SERVICE_MAIN.ingest]);
    dir = mkdtempSync(path.join(tmpdir(), 'ingest-workers-'));
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await child?.stop();
    await deleteKeys(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  it('both serve webhooks, and SIGTERM stops both and the primary cleanly', async () => {
    const port = await freePort();
    const file = path.join(dir, 'config.yaml');
    writeFileSync(
      file,
      stringify({
        redis: { url: testRedisUrl(), keyPrefix: prefix },
        log: { level: 'info' },
        users: [{ name: 'ann', email: 'ann@example.com' }],
        mandatory: ['ann'],
        ingest: { listen: { host: '127.0.0.1', port }, workers: 2, auth: { bearerTokens: ['${WORKERS_TOKEN}'] } },
      }),
    );
    child = startChild('ingest', process.execPath, [SERVICE_MAIN.ingest, '--config', file], { env: childEnv({ WORKERS_TOKEN: 'workers-token' }), cwd: dir });
    await child.waitReady(`http://127.0.0.1:${port}/healthz`, 20_000);

    const fixture = JSON.parse(readFileSync(path.join(AM_FIXTURES_DIR, 'firing-one-alert-bearer.json'), 'utf8')) as { body: { groupKey: string } };
    // Which worker accepted a delivery: each one's log lines carry its cluster worker id.
    const servedBy = () => new Set(child!.lines().filter((l) => l.includes('delivery accepted')).map((l) => (JSON.parse(l) as { worker?: number }).worker));
    let n = 0;
    await waitFor(
      async () => {
        expect(await post(port, JSON.stringify({ ...fixture.body, groupKey: `${fixture.body.groupKey}#${n++}` }))).toBe(200);
        return servedBy().size === 2;
      },
      20_000,
      'deliveries accepted by both workers',
    );
    expect([...servedBy()].sort()).toEqual([1, 2]);
    expect(Number((await redis.zcard(`{${prefix}}:email:pending`)))).toBe(n);

    const pids = () => child!.lines().filter((l) => l.includes('"ingest listening"')).map((l) => (JSON.parse(l) as { pid?: number }).pid);
    const workerPids = pids();
    const exit = await child.stop(15_000);
    expect(exit).toMatchObject({ code: 0, killed: false });
    expect(exit.ms).toBeLessThan(10_000);
    expect(child.lines().filter((l) => l.includes('"shutting down"'))).toHaveLength(2);
    expect(child.lines().some((l) => l.includes('ingest workers stopped'))).toBe(true);
    expect(workerPids).toHaveLength(2);
    for (const pid of workerPids) expect(isAlive(pid!)).toBe(false);
  }, 60_000);
});
