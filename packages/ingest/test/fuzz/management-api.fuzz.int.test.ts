import http from 'node:http';
import fc from 'fast-check';
import Redis from 'ioredis';
import { freePort, FuzzTally, fuzzSeed, startAlertmanager, startRedisProcess, type RedisProcess, type TestAlertmanager } from '@alertgw/testkit';
import { bearer, goJson, loadFixtures, request, signToken, startIngest, type Answer, type Ingest } from '../support/harness';
import { apiCase, type ApiCase } from './management-cases';

const SEED = fuzzSeed();
const CASES = Number(process.env.FUZZ_API_CASES ?? 10_000);
/** Requests sent at once; few, because each one must answer within MAX_MS on two busy cores. */
const BATCH = 8;
const MAX_MS = 1_000;
const NO_ANSWER_MS = 10_000;
/** Fingerprints the seeded records have: the fixtures' and hostile ones. */
// Fingerprints the schema accepts that look like fixed key names or prototype members; the API
// fuzz still sends '..', '%2F', '{ag}', ':' and the like in paths, which must be refused.
const SEEDED_FPS = ['due', 'inflight', '__proto__', 'constructor', 'toString', 'all', 'ver', 'expire', '-', '_', 'a_b-c'];

/**
 * Fuzzes the management API (/api/v1/*) of the real app over HTTP, against a private real
 * redis-server and a real Alertmanager (acks with silences), as viewer, operator (with hostile subjects), and with bad tokens: paths
 * (ids, fingerprints, names with .., %2F, %00, unicode, huge), bodies (ack, comment, assign,
 * directory writes, route tests) and matcher= queries. Allowed: 2xx or 4xx within 1 s each.
 * A batch in which no write request succeeded must leave Redis untouched (its write counter).
 */
describe('management API fuzz', () => {
  let redisProc: RedisProcess;
  let am: TestAlertmanager;
  let ingest: Ingest;
  let probe: Redis;
  let tokens: Array<Record<string, string>>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });
  const tally = new FuzzTally('management-api', SEED);
  let slowest = 0;
  let strictBatches = 0;

  beforeAll(async () => {
    redisProc = await startRedisProcess();
    probe = new Redis(redisProc.url);
    // A real Alertmanager, so that acks with "silence" create real silences from hostile labels.
    const amPort = await freePort();
    ingest = await startIngest({
      redisUrl: redisProc.url,
      handling: { loops: false },
      patch: (raw) => {
        raw.alertmanager = { url: `http://127.0.0.1:${amPort}`, timeoutMs: 2000 };
      },
    });
    am = await startAlertmanager({ webhookUrl: `${ingest.url}/webhook/alertmanager`, token: 'test-token-123', port: amPort });
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    tokens = [
      auth(await signToken('viewer', { sub: 'victor' })),
      auth(await signToken('operator', { sub: 'alice' })),
      auth(await signToken('operator', { sub: '__proto__' })),
      auth(await signToken('operator', { sub: '{ag}\r\n<script>x</script>\ud800' })),
      auth(await signToken('viewer', { sub: 'v'.repeat(5_000) })),
      auth(await signToken('operator', { ttlSeconds: -60 })),
      auth(await signToken('operator', { secret: 'not-the-secret-not-the-secret-0123456789' })),
      auth(await signToken('admin')),
      { authorization: 'Basic YW06c2VjcmV0' },
      { authorization: 'Bearer not.a.jwt' },
    ];
    // Records to act on: the fixtures, and hostile fingerprints carrying labels regex bombs feed on.
    const fixtures = loadFixtures();
    const base = fixtures[0]!;
    for (const f of fixtures) expect((await request(ingest.url, 'POST', '/webhook/alertmanager', { ...f.headers, 'content-length': String(goJson(f.body).length) }, goJson(f.body))).status).toBe(200);
    const alerts = SEEDED_FPS.map((fingerprint) => ({
      ...base.body.alerts[0],
      fingerprint,
      labels: { ...base.body.alerts[0].labels, team: 'db', severity: 'critical', x: `${'a'.repeat(16_000)}!`, y: `${'toString'.repeat(5)}!`, z: 'a\ud800', w: 'a\u0000b\r\n', v: '"q"\\', u: '{ag}', ['__proto__']: 'p', constructor: 'c' },
    }));
    const body = { ...base.body, groupKey: 'fuzz-seed', alerts };
    const seeded = await request(ingest.url, 'POST', '/webhook/alertmanager', { authorization: 'Bearer test-token-123', 'content-type': 'application/json' }, JSON.stringify(body));
    expect(seeded.status).toBe(200);
  }, 30_000);

  afterAll(async () => {
    agent.destroy();
    await am?.stop();
    await ingest?.close();
    probe?.disconnect();
    await redisProc?.stop();
  });

  const writes = async () => Number(/rdb_changes_since_last_save:(\d+)/.exec(await probe.info('persistence'))?.[1]);

  const send = async (c: ApiCase): Promise<Answer & { ms: number }> => {
    const started = Date.now();
    const headers = { ...(tokens[c.auth] ?? {}), ...c.headers, ...(c.body ? { 'content-length': String(c.body.length) } : {}) };
    let timer: NodeJS.Timeout | undefined;
    // A request with no answer at all must fail the test, not hang it.
    const noAnswer = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => resolve({ status: 0, headers: {}, body: `no answer within ${NO_ANSWER_MS} ms` }), NO_ANSWER_MS);
    });
    const answer = await Promise.race([
      request(ingest.url, c.method, c.path, headers, c.body, agent).catch((err: Error) => ({ status: 0, headers: {}, body: `request failed: ${err.message}` })),
      noAnswer,
    ]);
    clearTimeout(timer);
    return { ...answer, ms: Date.now() - started };
  };

  /** A request that may change Redis when it succeeds. */
  const writer = (c: ApiCase) => !['GET', 'HEAD', 'OPTIONS'].includes(c.method) && c.path !== '/api/v1/routes/test';

  async function runBatch(batch: ApiCase[]): Promise<void> {
    const before = await writes();
    const answers = await Promise.all(batch.map(send));
    const after = await writes();
    const problems: string[] = [];
    answers.forEach((a, i) => {
      const c = batch[i]!;
      tally.add(a.status);
      slowest = Math.max(slowest, a.ms);
      const what = `${c.note}: ${c.method} ${JSON.stringify(c.path.slice(0, 300))} token ${c.auth} body ${JSON.stringify(c.body?.subarray(0, 300).toString())}`;
      if (!((a.status >= 200 && a.status < 300) || (a.status >= 400 && a.status < 500))) {
        const logged = ingest.logs().filter((l) => l.level === 'error').slice(-1).map((l) => JSON.stringify(l.err ?? l).slice(0, 400));
        problems.push(`answered ${a.status} ${JSON.stringify(a.body).slice(0, 300)} (last error logged: ${logged[0] ?? 'none'})\n  ${what}`);
      }
      if (a.ms > MAX_MS) problems.push(`took ${a.ms} ms\n  ${what}`);
    });
    if (!answers.some((a, i) => writer(batch[i]!) && a.status < 300)) {
      strictBatches++;
      if (after !== before) problems.push(`no write succeeded, yet Redis took ${after - before} write(s): ${batch.map((c) => `${c.method} ${c.path.slice(0, 80)} → ${answers[batch.indexOf(c)]!.status}`).join('; ')}`);
    }
    if (problems.length) throw new Error(problems.slice(0, 3).join('\n'));
  }

  it(`answers ${CASES} generated requests with 2xx or 4xx, each within ${MAX_MS} ms`, async () => {
    const known = { fingerprints: [...SEEDED_FPS, ...loadFixtures().flatMap((f) => f.body.alerts.map((a: { fingerprint: string }) => a.fingerprint))], users: ['zhangsan', 'lisi', 'oncall-a'], routes: ['db-team'] };
    const batch = fc.array(apiCase(known, tokens.length), { minLength: BATCH, maxLength: BATCH });
    try {
      await fc.assert(fc.asyncProperty(batch, runBatch), { seed: SEED, numRuns: Math.ceil(CASES / BATCH), endOnFailure: process.env.FUZZ_SHRINK !== '1', path: process.env.FUZZ_PATH });
    } finally {
      tally.summary(`slowest=${slowest}ms strict-no-write-batches=${strictBatches}`);
    }
    // Every kind of answer the checks are about must have happened.
    for (const status of [200, 400, 401, 403, 404]) expect(tally.count(status)).toBeGreaterThan(0);
    // Acks with a silence reached the real Alertmanager.
    const silences = (await (await fetch(`${am.url}/api/v2/silences`)).json()) as unknown[];
    process.stderr.write(`fuzz management-api: ${silences.length} Alertmanager silences created\n`);
    expect(silences.length).toBeGreaterThan(0);
    expect(strictBatches).toBeGreaterThan(0);
  }, 600_000);

  it('is still alive afterwards: /healthz, the alert list and a delivery work', async () => {
    expect((await request(ingest.url, 'GET', '/healthz')).status).toBe(200);
    const list = await request(ingest.url, 'GET', '/api/v1/alerts?matcher=team%3D%22db%22', await bearer('viewer'));
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    const f = loadFixtures()[1]!;
    const body = { ...f.body, groupKey: `${f.body.groupKey}#after-fuzz` };
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { ...f.headers, 'content-length': String(goJson(body).length) }, goJson(body));
    expect(res.status).toBe(200);
    // The fuzz rewrote the directory, so who gets it is anyone's guess; what it got must exist.
    for (const [channel, queue] of ingest.queues) {
      const task = res.body.tasks[channel];
      if (task) expect((await queue.get(task.id))?.payload.deliveryKey).toBe(res.body.deliveryKey);
      else expect(res.body.skipped[channel]).toEqual(expect.any(String));
    }
  });
});
