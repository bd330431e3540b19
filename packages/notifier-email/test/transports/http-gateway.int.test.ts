import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classifyError, GatewayError } from '@alertgw/shared';
import { createEmailChannel } from '../../src/email-channel';
import { createRenderer } from '../../src/render/create-renderer';
import { createHttpGatewayTransport, retryAfterMs } from '../../src/transports/http-gateway';
import { claimedTask } from '../support/claimed-task';
import { payloadFromFixture } from '../support/fixtures';

interface Call {
  auth?: string;
  contentType?: string;
  body: Record<string, unknown>;
}

const renderer = createRenderer();
const signal = new AbortController().signal;

describe('HTTP mail gateway transport', () => {
  let server: Server;
  let url: string;
  const calls: Call[] = [];
  let answer: { status: number; body?: string; headers?: Record<string, string>; hang?: boolean } = { status: 200 };

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        calls.push({ auth: req.headers.authorization, contentType: req.headers['content-type'], body: JSON.parse(raw) });
        if (answer.hang) return; // never answers: the client's timeout must fire
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send?key=not-logged`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    calls.length = 0;
    answer = { status: 200 };
  });

  const channelWith = (extra: Partial<Parameters<typeof createHttpGatewayTransport>[0]> = {}) =>
    createEmailChannel({
      transport: createHttpGatewayTransport({ url, bearerToken: 'test-token', timeoutMs: 2000, ...extra }),
      renderer,
      from: 'alerts@example.com',
    });
  const payload = payloadFromFixture('mixed-resolved-and-firing.json', ['alice@example.com', 'bob@example.com'], ['lead@example.com']);

  it('POSTs from/to/cc/subject/html/text with a bearer token; 2xx delivers every pending recipient', async () => {
    answer = { status: 202, body: JSON.stringify({ id: 'gw-123' }) };
    const outcome = await channelWith().send(claimedTask(payload), ['alice@example.com', 'bob@example.com'], signal);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call.auth).toBe('Bearer test-token');
    expect(call.contentType).toBe('application/json');
    expect(call.body).toMatchObject({
      from: 'alerts@example.com',
      to: ['alice@example.com', 'bob@example.com'],
      cc: ['lead@example.com'],
      subject: '[FIRING:1] HighCPU (cluster=prod-bj)',
    });
    expect(call.body.html).toContain('&lt;script&gt;');
    expect(call.body.text).toContain('== FIRING (1) ==');
    expect((call.body.headers as Record<string, string>)['In-Reply-To']).toMatch(/^<alertgw\.group\./);
    expect(outcome.results['alice@example.com']).toMatchObject({ status: 'delivered', detail: { messageId: 'gw-123' } });
    expect(String(outcome.results['bob@example.com'].detail?.response)).toMatch(/^HTTP 202/);
  });

  it('sends basic credentials and, on retry, only the pending recipients without Cc', async () => {
    const earlier = { 'alice@example.com': { status: 'delivered' as const, at: new Date().toISOString() } };
    await channelWith({ bearerToken: undefined, basic: { username: 'am', password: 'pw' } }).send(
      claimedTask(payload, { results: earlier }),
      ['bob@example.com'],
      signal,
    );
    expect(calls[0].auth).toBe(`Basic ${Buffer.from('am:pw').toString('base64')}`);
    expect(calls[0].body).toMatchObject({ to: ['bob@example.com'], cc: [] });
  });

  it.each([
    [503, true, 'http-503', false],
    [500, true, 'http-500', false],
    [429, true, 'http-429', false],
    [400, false, 'http-400', false],
    [422, false, 'http-422', false],
    [401, false, 'http-401', true],
    [403, false, 'http-403', true],
  ])('answer %i → retryable %s (%s)', async (status, retryable, code, configError) => {
    answer = { status, body: '{"error":"nope"}' };
    const channel = channelWith();
    const error = await channel.send(claimedTask(payload), ['alice@example.com'], signal).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayError);
    const cls = classifyError(error);
    expect(cls).toMatchObject({ retryable, code });
    expect(Boolean(cls.configError)).toBe(configError);
    // The URL's query (may hold a key) and the token stay out of the message.
    expect((error as Error).message).not.toContain('not-logged');
    expect((error as Error).message).not.toContain('test-token');
  });

  it('passes Retry-After of a 429 on to the worker', async () => {
    answer = { status: 429, headers: { 'retry-after': '7' } };
    const channel = channelWith();
    const error = await channel.send(claimedTask(payload), ['alice@example.com'], signal).catch((e: unknown) => e);
    expect(classifyError(error)).toEqual({ retryable: true, code: 'http-429', retryAfterMs: 7000 });
  });

  it('treats a timeout and a refused connection as transient', async () => {
    answer = { status: 200, hang: true };
    const slow = channelWith({ timeoutMs: 200 });
    const timeout = await slow.send(claimedTask(payload), ['alice@example.com'], signal).catch((e: unknown) => e);
    expect(classifyError(timeout)).toEqual({ retryable: true, code: 'http-timeout' });

    const down = createEmailChannel({
      transport: createHttpGatewayTransport({ url: 'http://127.0.0.1:1/send', timeoutMs: 2000 }),
      renderer,
      from: 'alerts@example.com',
    });
    const refused = await down.send(claimedTask(payload), ['alice@example.com'], signal).catch((e: unknown) => e);
    expect(classifyError(refused)).toEqual({ retryable: true, code: 'http-network' });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, caps at an hour', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('999999')).toBe(3_600_000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 0)).toBe(10_000);
  });
});
