import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { createOpsServer } from '../src/ops-server';

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
