import http from 'node:http';
import fc from 'fast-check';
import Redis from 'ioredis';
import { getAlert, MAX_TIMELINE } from '@alertgw/shared';
import { FuzzTally, fuzzSeed, startRedisProcess, type RedisProcess } from '@alertgw/testkit';
import { goJson, loadFixtures, request, startIngest, type Answer, type Ingest } from '../support/harness';
import { invalidCase, largeCase, validCase, type WebhookCase } from './webhook-cases';

const SEED = fuzzSeed();
/** 10,000 requests by default; FUZZ_WEBHOOK_CASES changes it (rounded to whole batches). */
const CASES = Number(process.env.FUZZ_WEBHOOK_CASES ?? 10_000);
/** Requests sent at once: enough to interleave inside Redis, few enough for two busy cores. */
const BATCH = 25;
/** A small body limit, so bodies over it are cheap to make and send. */
const LIMIT = 64 * 1024;

/**
 * Fuzzes POST /webhook/alertmanager of the real app, over HTTP, against a private real
 * redis-server (so its write counter belongs to this test alone). The only answers allowed
 * are 2xx and 4xx, and no answer leaves a partial state:
 *  - after a 2xx, every task the answer names exists in its channel's queue, carries this
 *    delivery's key and (when it is new) only alerts of the body; every channel is either tasked or skipped
 *    with a reason; every alert of the body has its record and a `received` event of this
 *    delivery (unless the timeline is full: older events are dropped by design);
 *  - after a batch answered with 4xx only, Redis did not take a single write
 *    (rdb_changes_since_last_save did not move: any SET, HSET, ZADD, LPUSH, EXPIRE… counts).
 */
describe('webhook fuzz', () => {
  let redisProc: RedisProcess;
  let ingest: Ingest;
  let probe: Redis;
  const agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });
  const tally = new FuzzTally('webhook', SEED);
  let strictBatches = 0;

  beforeAll(async () => {
    redisProc = await startRedisProcess();
    probe = new Redis(redisProc.url);
    ingest = await startIngest({
      redisUrl: redisProc.url,
      // Handling on (acks, escalation plans: esc:<fingerprint> keys), its background loops off so no write is not ours.
      handling: { loops: false },
      patch: (raw) => {
        (raw.ingest as Record<string, unknown>).bodyLimitBytes = LIMIT;
        (raw.users as unknown[]).push({ name: 'boss', phone: '+8613800000009', groups: ['leads'] });
        raw.routes = [
          { name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], escalate: [{ afterMinutes: 5, notify: ['group:leads'] }] },
          { name: 'proto', matchers: ['team="__proto__"'], notify: ['group:dba'], escalate: [{ afterMinutes: 1, notify: ['boss'] }] },
          // Regexes that backtrack catastrophically in a backtracking engine: RE2 runs them in linear time.
          { name: 'redos-1', matchers: ['severity=~"(a+)+$"'], notify: ['boss'] },
          { name: 'redos-2', matchers: ['team=~"([a-zA-Z]+)*$"'], notify: ['boss'] },
          { name: 'redos-3', matchers: ['alertname=~"(a|a)*$"'], notify: ['boss'] },
        ];
      },
    });
  }, 30_000);

  afterAll(async () => {
    agent.destroy();
    await ingest?.close();
    probe?.disconnect();
    await redisProc?.stop();
  });

  /** Redis's count of writes since start (never reset: the server saves nothing). */
  const writes = async () => Number(/rdb_changes_since_last_save:(\d+)/.exec(await probe.info('persistence'))?.[1]);

  const send = (c: WebhookCase): Promise<Answer> =>
    request(ingest.url, 'POST', '/webhook/alertmanager', { ...c.headers, 'content-length': String(c.body.length) }, c.body, agent).catch(
      (err: Error) => ({ status: 0, headers: {}, body: `request failed: ${err.message}` }),
    );

  /** Why this 2xx left a partial state, or undefined when everything it implies is in Redis. */
  async function partialState(c: WebhookCase, answer: Answer): Promise<string | undefined> {
    const summary = answer.body;
    const sent = c.sent as { alerts: Array<Record<string, unknown> & { fingerprint: string }> } | undefined;
    if (!sent?.alerts) return `a 2xx for a body that is not a delivery (${c.note})`;
    const sentAlerts = new Set(sent.alerts.map((a) => JSON.stringify(a)));
    for (const [channel, queue] of ingest.queues) {
      const named = summary.tasks?.[channel];
      if (!named) {
        if (typeof summary.skipped?.[channel] !== 'string') return `channel ${channel} neither tasked nor skipped`;
        continue;
      }
      const task = await queue.get(named.id);
      if (!task) return `task ${channel}:${named.id} does not exist`;
      if (task.payload.deliveryKey !== summary.deliveryKey) return `task ${channel}:${named.id} belongs to delivery ${task.payload.deliveryKey}`;
      // A duplicate answers with the first copy's task: same fingerprints (Alertmanager's hash of the labels), same key.
      const foreign = !named.duplicate && task.payload.alerts.find((a) => !sentAlerts.has(JSON.stringify(a)));
      if (foreign) return `task ${channel}:${named.id} carries an alert not in the body: ${JSON.stringify(foreign).slice(0, 200)}`;
    }
    for (const alert of sent.alerts) {
      const found = await getAlert(ingest.redis, ingest.prefix, alert.fingerprint);
      if (!found) return `no record for fingerprint ${JSON.stringify(alert.fingerprint.slice(0, 80))}`;
      const ours = found.timeline.some((e) => e.type === 'received' && (e as { deliveryKey?: string }).deliveryKey === summary.deliveryKey);
      if (!ours && found.timeline.length < MAX_TIMELINE) return `record ${JSON.stringify(alert.fingerprint.slice(0, 80))} has no received event of this delivery`;
    }
    return undefined;
  }

  const describeCase = (c: WebhookCase, a: Answer, why: string) =>
    `${why}\n  case: ${c.note}\n  answer: ${a.status} ${JSON.stringify(a.body).slice(0, 300)}\n  headers: ${JSON.stringify(c.headers).slice(0, 300)}\n  body (${c.body.length} bytes): ${JSON.stringify(c.body.subarray(0, 400).toString('latin1'))}`;

  /** Sends one batch at once, then checks every answer and what it left in Redis. */
  async function runBatch(batch: WebhookCase[]): Promise<void> {
    const before = await writes();
    const answers = await Promise.all(batch.map(send));
    const after = await writes();
    const problems: string[] = [];
    for (const [i, a] of answers.entries()) {
      tally.add(a.status);
      const c = batch[i]!;
      if (!((a.status >= 200 && a.status < 300) || (a.status >= 400 && a.status < 500))) {
        const logged = ingest.logs().filter((l) => l.level === 'error').slice(-1).map((l) => JSON.stringify(l.err ?? l).slice(0, 400));
        problems.push(describeCase(c, a, `answered ${a.status} (last error logged: ${logged[0] ?? 'none'})`));
      } else if (a.status < 300) {
        const why = await partialState(c, a);
        if (why) problems.push(describeCase(c, a, `partial state after ${a.status}: ${why}`));
      }
    }
    if (answers.every((a) => a.status >= 400 && a.status < 500)) {
      strictBatches++;
      if (after !== before) problems.push(`a batch answered only with 4xx, yet Redis took ${after - before} write(s): ${batch.map((c) => c.note).join('; ')}`);
    }
    // The measure itself must see writes, or the check above could never fail.
    const created = answers.some((a) => a.status === 200 && Object.values(a.body.created ?? {}).some((n) => n === 1));
    if (created && after === before) problems.push('tasks were created, yet rdb_changes_since_last_save did not move');
    if (problems.length) throw new Error(problems.slice(0, 3).join('\n'));
  }

  it(`answers ${CASES} generated requests with 2xx or 4xx only, and leaves no partial state`, async () => {
    const anyCase = fc.oneof({ weight: 6, arbitrary: validCase }, { weight: 1, arbitrary: largeCase(LIMIT) }, { weight: 3, arbitrary: invalidCase(LIMIT) });
    // Batches of refusals alone too, so the "a 4xx writes nothing" check runs often.
    const batch = fc.oneof(
      { weight: 2, arbitrary: fc.array(anyCase, { minLength: BATCH, maxLength: BATCH }) },
      { weight: 1, arbitrary: fc.array(invalidCase(LIMIT), { minLength: BATCH, maxLength: BATCH }) },
    );
    // Shrinking re-sends batches to a server that remembers (dedup): opt in with FUZZ_SHRINK=1.
    const params = { seed: SEED, numRuns: Math.ceil(CASES / BATCH), endOnFailure: process.env.FUZZ_SHRINK !== '1' };
    let line = '';
    try {
      await fc.assert(fc.asyncProperty(batch, runBatch), params);
    } finally {
      line = tally.summary(`strict-4xx-batches=${strictBatches}`);
    }
    expect(line).toContain(`cases=${Math.ceil(CASES / BATCH) * BATCH}`);
    // Both checks must have had work to do, or this test proves nothing.
    expect(tally.count(200)).toBeGreaterThan(CASES / 5);
    expect(strictBatches).toBeGreaterThan(CASES / BATCH / 10);
  }, 600_000);

  it('is still alive afterwards: /healthz answers and an ordinary delivery gets its tasks', async () => {
    const health = await request(ingest.url, 'GET', '/healthz');
    expect(health.status).toBe(200);
    const fixture = loadFixtures().find((f) => f.name === 'firing-truncated-basic-auth.json')!;
    const body = { ...fixture.body, groupKey: `${fixture.body.groupKey}#after-fuzz` };
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { ...fixture.headers, 'content-length': String(goJson(body).length) }, goJson(body));
    expect(res.status).toBe(200);
    expect(res.body.created).toEqual({ email: 1, sms: 1 });
    expect((await ingest.queues.get('email')!.get(res.body.tasks.email.id))?.payload.deliveryKey).toBe(res.body.deliveryKey);
  });
});
