import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { getAlert } from '@alertgw/shared';
import { uniquePrefix, waitFor } from '@alertgw/testkit';
import { SERVICE_COUNT, startGatewayStack, waitDelivered, type GatewayStack } from './support/gateway-stack';
import { spawnRedisServer, type ServerProcess } from './support/redis-servers';
import { DOWN_AFTER_MS, startSentinelGroup, type SentinelGroup } from './support/sentinel-group';

/** One webhook post and how ingest answered it. */
interface Post {
  seq: number;
  sentAt: number;
  answeredAt: number;
  status: number;
}

/** The queue lease in this test (default 30 s): how long a task in flight at the kill waits before it is sent again. */
const LEASE_MS = 4_000;
/** Clients posting at once around the kill, so that several writes are in flight when it happens. */
const POSTERS = 4;
/** An obvious fake: the sentinels' requirepass, which the services read from REDIS_SENTINEL_PASSWORD. */
const SENTINEL_PASSWORD = 'fake-sentinel-password-1414';

/** Mean of a list of numbers, 2 decimals. */
const mean = (xs: number[]): number => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 100) / 100;

describe('the full path on Sentinel (1 primary, 1 replica, 3 sentinels): SIGKILL the primary while posting', () => {
  let dir: string;
  let group: SentinelGroup | undefined;
  let stack: GatewayStack | undefined;
  let restarted: ServerProcess | undefined;
  const clients: Redis[] = [];

  afterAll(async () => {
    await stack?.stop();
    for (const c of clients) c.disconnect();
    await restarted?.kill();
    await group?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the services follow the new primary with no restart; the loss window and the outage are measured', async () => {
    const started = Date.now();
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-sentinel-'));
    group = await startSentinelGroup(dir, { password: SENTINEL_PASSWORD });
    const setupMs = Date.now() - started;
    const prefix = uniquePrefix('sen');
    stack = await startGatewayStack({
      dir,
      keyPrefix: prefix,
      redis: { url: '', sentinel: { addresses: group.addresses, masterName: group.masterName, password: '${REDIS_SENTINEL_PASSWORD}' } },
      env: { REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD },
      leaseMs: LEASE_MS,
    });
    const s = stack;
    const pids = [...s.services.values()].map((svc) => svc.child.pid);

    const posts: Post[] = [];
    let next = 1;
    const postOne = async (): Promise<Post> => {
      const seq = next++;
      const sentAt = Date.now();
      const status = await s.post(seq);
      const post = { seq, sentAt, answeredAt: Date.now(), status };
      posts.push(post);
      return post;
    };
    const acked = (p: Post) => p.status >= 200 && p.status < 300;

    // Before: deliveries flow. Then POSTERS clients post one webhook after another (as
    // Alertmanager's parallel groups would) while the primary is SIGKILLed, and go on until the
    // new primary took over, ingest acknowledges again and a notification for a post sent after
    // the kill arrived, plus a few more acknowledged posts.
    expect((await postOne()).status).toBe(200);
    await waitDelivered(s, [1], 15_000);
    let stopPosting = false;
    const posters = Array.from({ length: POSTERS }, async () => {
      while (!stopPosting) {
        await postOne();
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    const oldPrimary = group.primary.port;
    await waitFor(() => posts.filter(acked).length >= 20, 15_000, 'twenty acknowledged posts before the kill');
    const killedAt = Date.now();
    await group.primary.kill('SIGKILL');

    let failoverAt: number | undefined;
    let flowAt: number | undefined;
    try {
      await waitFor(
        async () => {
          if (failoverAt === undefined && (await group!.currentPrimaryPort()) !== oldPrimary) failoverAt = Date.now();
          // "After the kill" = sent after ingest first refused one: a post sent in the same
          // millisecond as the SIGKILL may still have been answered by the dying primary.
          const outageSeen = posts.find((p) => p.answeredAt >= killedAt && !acked(p));
          if (flowAt === undefined && outageSeen && posts.some((p) => p.sentAt > outageSeen.answeredAt && acked(p) && s.delivered(p.seq))) flowAt = Date.now();
          return flowAt !== undefined && posts.filter((p) => acked(p) && p.sentAt >= flowAt!).length >= 10;
        },
        25_000,
        'failover, 2xx again and notifications for posts sent after the kill',
      );
    } catch (err) {
      throw new Error(`${(err as Error).message} (failover ${failoverAt ? 'seen' : 'not seen'}, notifications ${flowAt ? 'flowing' : 'not flowing'})\n${s.output()}`);
    } finally {
      stopPosting = true;
      await Promise.all(posters);
    }
    const newPrimary = await group.currentPrimaryPort();
    expect(newPrimary).toBe(group.replica.port);

    // Loss: acknowledged (2xx) but absent on the new primary. A 503 is Alertmanager's cue to retry: not a loss.
    const primaryClient = new Redis({ host: '127.0.0.1', port: newPrimary });
    clients.push(primaryClient);
    const ackedPosts = posts.filter(acked);
    const present = await Promise.all(ackedPosts.map(async (p) => (await getAlert(primaryClient, prefix, s.fingerprint(p.seq))) !== null));
    const lost = ackedPosts.filter((_, i) => !present[i]).map((p) => p.seq);
    const refused = posts.filter((p) => !acked(p));
    const refusedButStored = (await Promise.all(refused.map(async (p) => (await getAlert(primaryClient, prefix, s.fingerprint(p.seq))) !== null))).filter(Boolean).length;
    const firstRefused = posts.find((p) => p.answeredAt >= killedAt && !acked(p))!;
    const firstAckAfter = posts.find((p) => p.sentAt > firstRefused.answeredAt && acked(p))!;
    // A task claimed when the primary died, whose outcome could not be written, is leased on the
    // new primary too: it is sent (again) when its lease runs out. Hence the short lease here.
    await waitDelivered(s, ackedPosts.filter((_, i) => present[i]).map((p) => p.seq), LEASE_MS + 15_000);
    const notifiedAt = await Promise.all(
      ackedPosts.map(async (p) => {
        const events = (await getAlert(primaryClient, prefix, s.fingerprint(p.seq)))?.timeline ?? [];
        return Math.max(...events.filter((e) => e.type === 'notification').map((e) => Date.parse(e.at)));
      }),
    );
    const lastNotifiedMs = Math.max(...notifiedAt) - killedAt;

    // No restart: the same processes, alive, each connected once and told the outage.
    expect([...s.services.values()].map((svc) => [svc.child.pid, svc.child.exitCode])).toEqual(pids.map((pid) => [pid, null]));
    const output = s.output();
    expect(output.split('\n').filter((l) => l.includes('"message":"using Redis"') && l.includes('"mode":"sentinel"'))).toHaveLength(SERVICE_COUNT);
    expect(output.split('\n').filter((l) => l.includes('[ingest]') && l.includes('Redis connection back'))).not.toHaveLength(0);
    expect(output).not.toContain(SENTINEL_PASSWORD);

    // The price of closing the window: WAIT 1 <ms> after each accept. The old primary comes back
    // as a replica of the new one; then write latency is compared with and without WAIT.
    restarted = await spawnRedisServer(dir, ['--replicaof', '127.0.0.1', String(newPrimary)], { port: oldPrimary });
    await waitFor(async () => /connected_slaves:1[\s\S]*state=online/.test(await primaryClient.info('replication')), 15_000, 'the old primary to come back as a replica');
    let waitTimeouts = 0;
    const timeWrites = async (wait: boolean): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = process.hrtime.bigint();
        await primaryClient.set(`{${prefix}}:wait-probe`, String(i));
        // 0 = no replica confirmed within 100 ms: the write stands, unconfirmed (what ingest would do then is a choice).
        if (wait && (await primaryClient.call('WAIT', '1', '100')) === 0) waitTimeouts++;
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return ms.sort((a, b) => a - b);
    };
    const plain = await timeWrites(false);
    const withWait = await timeWrites(true);
    const p99 = (xs: number[]) => Math.round(xs[Math.floor(xs.length * 0.99)] * 100) / 100;

    const exits = await s.stop();
    stack = undefined;
    expect(exits).toEqual(Array(SERVICE_COUNT).fill(0));
    process.stdout.write(
      `redis Sentinel: setup ${setupMs} ms; down-after ${DOWN_AFTER_MS} ms; ${POSTERS} posters, ${posts.length} posts, ${ackedPosts.length} acknowledged, ` +
        `LOST ${lost.length}${lost.length ? ` (seq ${lost.join(',')})` : ''}, ${refused.length} answered 503 (of which ${refusedButStored} were stored anyway: duplicates on retry, deduplicated); ` +
        `new primary named after ${failoverAt! - killedAt} ms; first 503 at +${firstRefused.answeredAt - killedAt} ms, 2xx again at +${firstAckAfter.answeredAt - killedAt} ms; ` +
        `first notification for a post sent after the kill at +${flowAt! - killedAt} ms; every acknowledged post notified by +${lastNotifiedMs} ms (lease ${LEASE_MS} ms); no restart; ` +
        `write latency mean ${mean(plain)} ms p99 ${p99(plain)} ms, with WAIT 1 100 mean ${mean(withWait)} ms p99 ${p99(withWait)} ms, ${waitTimeouts}/200 WAITs timed out (loopback); total ${Date.now() - started} ms\n`,
    );
  }, 45_000);
});
