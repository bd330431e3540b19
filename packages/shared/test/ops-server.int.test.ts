import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { createOpsServer, startOpsServer } from '../src/ops-server';
import { READY_TIMEOUT_MS } from '../src/redis/ping-within';
import { freePort } from '../src/redis/locate-redis';

describe('ops server', () => {
  it('answers /healthz, /readyz (following readiness) and /metrics', async () => {
    const registry = new Registry();
    new Counter({ name: 'alertgw_test_total', help: 'test', registers: [registry] }).inc(3);
    let ready = true;
    const server = createOpsServer({ registry, ready: async () => ready });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      ready = false;
      const notReady = await fetch(`${base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.text()).toMatch(/Redis/);
      const metrics = await fetch(`${base}/metrics`);
      expect(await metrics.text()).toContain('alertgw_test_total 3');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
      expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
    } finally {
      server.close();
    }
  });
});

describe('startOpsServer', () => {
  it('answers /readyz with 503 within about a second when Redis never answers PING (a black-holed connection)', async () => {
    const port = await freePort();
    const hungRedis = { ping: () => new Promise<string>(() => {}) };
    const server = await startOpsServer({ registry: new Registry(), redis: hungRedis, listen: { host: '127.0.0.1', port }, logger: { info: () => {} } });
    try {
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      const tookMs = Date.now() - started;
      expect(res.status).toBe(503);
      expect(tookMs).toBeGreaterThanOrEqual(READY_TIMEOUT_MS - 50);
      expect(tookMs).toBeLessThan(READY_TIMEOUT_MS + 1500);
    } finally {
      server?.close();
    }
  });
});
