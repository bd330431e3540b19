import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '@alertgw/shared';
import { createAlertmanagerClient } from '../../src/handling/alertmanager-client';
import { freePort } from '@alertgw/testkit';

// Errors of the Alertmanager client end up in 502 bodies and logs: they may quote where
// Alertmanager is (its origin), never a path, a query or credentials of its URL.

async function failure(url: string, bearerToken?: string): Promise<GatewayError> {
  const client = createAlertmanagerClient({ url, timeoutMs: 2000, bearerToken });
  try {
    await client.getSilence('abc');
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error('the call succeeded');
}

describe('Alertmanager client errors', () => {
  it('quote only the origin when Alertmanager cannot be reached', async () => {
    const port = await freePort();
    const err = await failure(`http://127.0.0.1:${port}/am-prefix-path?key=query-secret-1`, 'bearer-secret-2');
    expect(err.code).toBe('UPSTREAM_FAILED');
    expect(err.retryable).toBe(true);
    expect(err.message).toBe(`Alertmanager at http://127.0.0.1:${port} cannot be reached: ECONNREFUSED`);
  });

  it('quote only the origin even for a URL with credentials that bypassed the config check', async () => {
    const port = await freePort();
    const err = await failure(`http://admin:url-password-3@127.0.0.1:${port}/`);
    expect(err.message).toMatch(new RegExp(`^Alertmanager at http://127\\.0\\.0\\.1:${port} cannot be reached: `));
    expect(err.message).not.toMatch(/admin|url-password-3/);
  });

  describe('against a real HTTP server', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    it('name the status and Alertmanager\'s reason, not the URL or the token', async () => {
      const err = await failure(`${base}/secret-path`, 'bearer-secret-4');
      expect(err.message).toBe('Alertmanager refused to read silence abc: HTTP 500 internal error');
      expect(err.retryable).toBe(true);
    });
  });
});
