import { WEBHOOK_LIMITS } from '@alertgw/shared';
import { bearer, goJson, loadFixtures, request, startIngest, TEST_ENV, type Ingest } from '../support/harness';

// Regexes that a backtracking engine needs exponential time for. The review measured 5.9 s for
// `(.*.*)*x` on a 15-character label, doubling per character, with /healthz stuck behind it.
const HOSTILE = ['(.*.*)*x', '(a+)+b', '(a|aa)+c'];
const BOUND_MS = 1_000; // the whole HTTP round trip on a busy machine; the regex part is milliseconds

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

describe('POST /api/v1/routes/test with hostile route regexes', () => {
  let ingest: Ingest;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    ingest = await startIngest({
      handling: true,
      patch: (raw) => {
        (raw.routes as unknown[]).push(
          { name: 'dotstar', matchers: ['instance=~"(.*.*)*x"'], notify: ['lisi'] },
          { name: 'nested', matchers: ['instance=~"(a+)+b"'], notify: ['lisi'] },
        );
      },
    });
    viewer = await bearer('viewer');
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
      let value = '';
      let seed = i + 1; // a fixed pseudo-random a/b string per alert: periodic text would let the DFA cope
      for (let j = 0; j < WEBHOOK_LIMITS.maxLabelValueLength; j++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        value += seed >= 1073741824 ? 'a' : 'b';
      }
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
