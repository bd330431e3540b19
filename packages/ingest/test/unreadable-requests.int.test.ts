import { gzipSync } from 'node:zlib';
import { bearer, goJson, loadFixtures, request, startIngest, type Ingest } from './support/harness';

/** Requests that cannot be decoded can never succeed: they get a 4xx, never a 5xx (found by the fuzz tests). */
describe('requests that cannot be decoded', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({ handling: { loops: false } });
  });
  afterAll(() => ingest.close());

  const body = goJson(loadFixtures()[0]!.body);

  it.each(['deflate', 'gzip'])('refuses a webhook body labelled %s that is plain JSON with 400 and writes nothing', async (encoding) => {
    const headers = { authorization: 'Bearer test-token-123', 'content-type': 'application/json', 'content-encoding': encoding };
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', headers, body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/cannot be read/);
    expect(await ingest.keys()).not.toContainEqual(expect.stringContaining(':alerts:a:'));
  });

  it('refuses a truncated gzip body on the management API with 400', async () => {
    const headers = { ...(await bearer('operator')), 'content-type': 'application/json', 'content-encoding': 'gzip' };
    const res = await request(ingest.url, 'POST', '/api/v1/alerts/f00d/comment', headers, gzipSync('{"comment":"x"}').subarray(0, 12));
    expect(res.status).toBe(400);
  });

  it.each(['/api/v1/alerts/%C0%AE', '/api/v1/alerts/%ED%A0%80/ack', '/api/v1/users/%FF'])('refuses %s (not UTF-8 once decoded) with 400', async (path) => {
    const method = path.endsWith('/ack') ? 'POST' : 'GET';
    const res = await request(ingest.url, method, path, await bearer('operator'));
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/cannot be read: Failed to decode param/);
  });
});
