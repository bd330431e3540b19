import { WEBHOOK_LIMITS } from '../../src/webhook';
import { abLabel } from '@alertgw/testkit';
import { bearer, goJson, loadFixtures, request, startIngest, TEST_ENV, type Ingest } from '../support/harness';

// Regexes that a backtracking engine needs exponential time for. The review measured 5.9 s for
// `(.*.*)*x` on a 15-character label, doubling per character, with /healthz stuck behind it.
const HOSTILE = ['(.*.*)*x', '(a+)+b', '(a|aa)+c'];
const BOUND_MS = 1_000; // the whole HTTP round trip on a busy machine; the regex part is milliseconds
// The costly match runs until its 1 s deadline: a probe answered well within that did not wait for it.
// /healthz is the event loop alone; a webhook also waits on the shared Redis, slower on a busy machine.
const HEALTH_BOUND_MS = 200;
const WEBHOOK_BOUND_MS = 500;
const webhookHeaders = { 'content-type': 'application/json', authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}` };

/** A pseudo-random a/b label as long as the webhook accepts. */
const longAb = (seed: number) => abLabel(seed, WEBHOOK_LIMITS.maxLabelValueLength);

/**
 * Sends /healthz and a webhook POST one after the other until `busy` settles, and answers the
 * slowest of each: what the event loop made them wait while `busy` ran.
 */
async function probeWhile(url: string, busy: Promise<unknown>): Promise<{ health: number[]; webhook: number[] }> {
  let settled = false;
  void busy.finally(() => (settled = true));
  const body = loadFixtures()[0]!.body;
  const seen = { health: [] as number[], webhook: [] as number[] };
  for (let i = 0; !settled; i++) {
    let start = Date.now();
    expect((await request(url, 'GET', '/healthz')).status).toBe(200);
    seen.health.push(Date.now() - start);
    const alert = { ...body.alerts[0], fingerprint: `probe${String(i).padStart(11, '0')}`, labels: { ...body.alerts[0].labels, alertname: `Probe${i}` } };
    start = Date.now();
    expect((await request(url, 'POST', '/webhook/alertmanager', webhookHeaders, goJson({ ...body, alerts: [alert] }))).status).toBe(200);
    seen.webhook.push(Date.now() - start);
  }
  return seen;
}

describe('GET /api/v1/alerts?matcher= with hostile regexes', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;
  const longValue = 'a'.repeat(WEBHOOK_LIMITS.maxLabelValueLength);

  beforeAll(async () => {
    ingest = await startIngest();
    viewer = await bearer('viewer');
    const body = loadFixtures()[0]!.body;
    // Ten stored alerts whose instance label is as long as the webhook accepts.
    const alerts = Array.from({ length: 10 }, (_, i) => ({
      ...body.alerts[0],
      fingerprint: `hostile${String(i).padStart(9, '0')}`,
      labels: { ...body.alerts[0].labels, alertname: `Hostile${i}`, instance: longValue },
    }));
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}` };
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', headers, goJson({ ...body, alerts }));
    expect(res.status).toBe(200);
    // The first matcher request starts the matching worker thread: not what is timed here.
    expect((await request(ingest.url, 'GET', `/api/v1/alerts?matcher=${encodeURIComponent('alertname="none"')}`, viewer)).status).toBe(200);
  });
  afterAll(() => ingest.close());

  test.each(HOSTILE)('instance=~%j answers quickly, and /healthz answers while it runs', async (pattern) => {
    const matcher = encodeURIComponent(`instance=~"${pattern}"`);
    const start = Date.now();
    const query = request(ingest.url, 'GET', `/api/v1/alerts?matcher=${matcher}`, viewer).then((r) => ({ r, ms: Date.now() - start }));
    const health = request(ingest.url, 'GET', '/healthz').then((r) => ({ r, ms: Date.now() - start }));
    const [q, h] = await Promise.all([query, health]);
    expect(q.r.status).toBe(200);
    expect(q.r.body.items).toEqual([]);
    expect(q.ms).toBeLessThan(BOUND_MS);
    expect(h.r.status).toBe(200);
    expect(h.ms).toBeLessThan(BOUND_MS);
  });

  test('the same long labels still match a regex that fits them', async () => {
    const res = await request(ingest.url, 'GET', `/api/v1/alerts?matcher=${encodeURIComponent('instance=~"a+"')}&limit=50`, viewer);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(10);
  });

  test('a syntax error is a 400 naming Go-style what is wrong', async () => {
    const res = await request(ingest.url, 'GET', `/api/v1/alerts?matcher=${encodeURIComponent('instance=~"(?<=a)b"')}`, viewer);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/invalid or unsupported Perl syntax: `\(\?<`/);
  });
});

/** An ingest with alert handling and `routes` added to the test config, for the routes/test API. */
const ingestWithRoutes = (...routes: Array<{ name: string; matchers: string[] }>) =>
  startIngest({
    handling: true,
    patch: (raw) => {
      (raw.routes as unknown[]).push(...routes.map((r) => ({ ...r, notify: ['lisi'] })));
    },
  });

describe('POST /api/v1/routes/test with hostile route regexes', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    ingest = await ingestWithRoutes({ name: 'dotstar', matchers: ['instance=~"(.*.*)*x"'] }, { name: 'nested', matchers: ['instance=~"(a+)+b"'] });
    viewer = await bearer('viewer');
    // The first routes/test starts the matching worker thread: not what is timed here.
    const warm = JSON.stringify({ labels: { team: 'db' } });
    expect((await request(ingest.url, 'POST', '/api/v1/routes/test', { ...viewer, 'content-type': 'application/json' }, warm)).status).toBe(200);
  });
  afterAll(() => ingest.close());

  test('a 100k-character label is explained quickly, and /healthz answers meanwhile', async () => {
    const headers = { ...viewer, 'content-type': 'application/json' };
    const body = JSON.stringify({ labels: { team: 'db', instance: 'a'.repeat(100_000) } });
    const start = Date.now();
    const explain = request(ingest.url, 'POST', '/api/v1/routes/test', headers, body).then((r) => ({ r, ms: Date.now() - start }));
    const health = request(ingest.url, 'GET', '/healthz').then((r) => ({ r, ms: Date.now() - start }));
    const [e, h] = await Promise.all([explain, health]);
    expect(e.r.status).toBe(200);
    const matched = Object.fromEntries(e.r.body.routes.map((x: { name: string; matched: boolean }) => [x.name, x.matched]));
    expect(matched).toEqual({ 'db-team': true, dotstar: false, nested: false });
    expect(e.ms).toBeLessThan(BOUND_MS);
    expect(h.r.status).toBe(200);
    expect(h.ms).toBeLessThan(BOUND_MS);
  });
});

describe('GET /api/v1/alerts?matcher= when matching adds up', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    ingest = await startIngest();
    viewer = await bearer('viewer');
    const body = loadFixtures()[0]!.body;
    // Long labels that keep many RE2 states alive for a counting regexp: linear, but slow.
    const alerts = Array.from({ length: 40 }, (_, i) => {
      const value = longAb(i + 1);
      return { ...body.alerts[0], fingerprint: `costly${String(i).padStart(10, '0')}`, labels: { ...body.alerts[0].labels, alertname: `Costly${i}`, instance: value } };
    });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}` };
    expect((await request(ingest.url, 'POST', '/webhook/alertmanager', headers, goJson({ ...body, alerts }))).status).toBe(200);
  });
  afterAll(() => ingest.close());

  test('a request past its matching budget is refused with 400 instead of running on', async () => {
    const matcher = encodeURIComponent('instance=~"(a|b)*a(a|b){14}x"');
    const start = Date.now();
    const res = await request(ingest.url, 'GET', `/api/v1/alerts?matcher=${matcher}`, viewer);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^matcher too costly: over 1000 ms of regexp matching/);
    expect(Date.now() - start).toBeLessThan(8_000);
    expect((await request(ingest.url, 'GET', '/healthz')).status).toBe(200);
  }, 60_000);
});

describe('one costly match is stopped at its deadline, off the event loop', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;
  const COSTLY = 'instance=~"[ab]*a[ab]{999}x"'; // passes the compile-cost check; ~14 s of RE2 on one 16k a/b label
  const list = (matcher: string) => request(ingest.url, 'GET', `/api/v1/alerts?matcher=${encodeURIComponent(matcher)}&limit=50`, viewer);

  beforeAll(async () => {
    ingest = await startIngest();
    viewer = await bearer('viewer');
    const body = loadFixtures()[0]!.body;
    const alerts = [
      { ...body.alerts[0], fingerprint: 'deadline000000ab', labels: { ...body.alerts[0].labels, alertname: 'LongAb', instance: longAb(7) } },
      { ...body.alerts[0], fingerprint: 'deadline00000001', labels: { ...body.alerts[0].labels, alertname: 'Plain', instance: 'db-1:9100' } },
    ];
    expect((await request(ingest.url, 'POST', '/webhook/alertmanager', webhookHeaders, goJson({ ...body, alerts }))).status).toBe(200);
    // The first matcher request starts the worker thread (under ts-jest it also transpiles the
    // matcher sources): timed here, apart from the deadline figures below.
    const start = Date.now();
    const plain = await list('instance=~"db-.*"');
    console.log(`worker cold start + first match: ${Date.now() - start} ms`);
    expect(plain.body.items.map((r: { labels: { alertname: string } }) => r.labels.alertname)).toEqual(['Plain']);
  });
  afterAll(() => ingest.close());

  test('answers 400 within 1.5 s, while /healthz and webhooks answer promptly; the next request works', async () => {
    const start = Date.now();
    const costly = list(COSTLY).then((r) => ({ r, ms: Date.now() - start }));
    const probes = await probeWhile(ingest.url, costly);
    const { r, ms } = await costly;
    const after = Date.now();
    const next = await list('instance=~"[ab]+"'); // needs a fresh worker: the old one was stopped mid-match
    const nextMs = Date.now() - after;
    console.log(
      `costly matcher: ${r.status} after ${ms} ms; meanwhile ${probes.health.length} /healthz (slowest ${Math.max(...probes.health)} ms) ` +
        `and ${probes.webhook.length} webhook POSTs (slowest ${Math.max(...probes.webhook)} ms); next request ${next.status} after ${nextMs} ms`,
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^matcher too costly: over 1000 ms of regexp matching/);
    expect(ms).toBeLessThan(1_500);
    expect(probes.health.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...probes.health)).toBeLessThan(HEALTH_BOUND_MS);
    expect(Math.max(...probes.webhook)).toBeLessThan(WEBHOOK_BOUND_MS);
    expect(next.status).toBe(200);
    expect(next.body.items.map((i: { labels: { alertname: string } }) => i.labels.alertname)).toEqual(['LongAb']);
  });

  test('a normal matcher sent alongside a costly one is answered, not held behind it', async () => {
    const start = Date.now();
    const costly = list(COSTLY).then((r) => ({ r, ms: Date.now() - start }));
    const plain = list('alertname=~"Plain|Nothing"').then((r) => ({ r, ms: Date.now() - start }));
    const [c, p] = await Promise.all([costly, plain]);
    console.log(`alongside: costly ${c.r.status} after ${c.ms} ms, plain ${p.r.status} after ${p.ms} ms`);
    expect(c.r.status).toBe(400);
    expect(p.r.status).toBe(200);
    expect(p.r.body.items.map((i: { labels: { alertname: string } }) => i.labels.alertname)).toEqual(['Plain']);
  });
});

describe('POST /api/v1/routes/test with a costly route and long labels', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    ingest = await ingestWithRoutes({ name: 'counting', matchers: ['instance=~"[ab]*a[ab]{999}x"'] });
    viewer = await bearer('viewer');
  });
  afterAll(() => ingest.close());

  test('is refused with 400 at its deadline, and /healthz and webhooks answer meanwhile', async () => {
    const headers = { ...viewer, 'content-type': 'application/json' };
    const short = () => request(ingest.url, 'POST', '/api/v1/routes/test', headers, JSON.stringify({ labels: { team: 'db', instance: 'ab' } }));
    const verdicts = (r: { body: { routes: Array<{ name: string; matched: boolean }> } }) => r.body.routes.map((x) => [x.name, x.matched]);
    expect(verdicts(await short())).toEqual([['db-team', true], ['counting', false]]); // also starts the worker
    const start = Date.now();
    const explain = request(ingest.url, 'POST', '/api/v1/routes/test', headers, JSON.stringify({ labels: { team: 'db', instance: longAb(3) } })).then((r) => ({
      r,
      ms: Date.now() - start,
    }));
    const probes = await probeWhile(ingest.url, explain);
    const { r, ms } = await explain;
    console.log(`routes/test: ${r.status} after ${ms} ms; slowest /healthz ${Math.max(...probes.health)} ms, webhook ${Math.max(...probes.webhook)} ms`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/^labels too costly: matching them against the routes took over 1000 ms/);
    expect(ms).toBeLessThan(1_500);
    expect(Math.max(...probes.health)).toBeLessThan(HEALTH_BOUND_MS);
    expect(Math.max(...probes.webhook)).toBeLessThan(WEBHOOK_BOUND_MS);
    const next = await short(); // on a fresh worker
    expect(next.status).toBe(200);
    expect(verdicts(next)).toEqual([['db-team', true], ['counting', false]]);
  });
});
