import http from 'node:http';
import type { Registry } from 'prom-client';
import { pingWithin } from './redis/ping-within';

/** What the ops endpoints need from a service. */
export interface OpsServerOptions {
  registry: Registry;
  /** True when the service can do its work now (Redis answers). */
  ready: () => Promise<boolean>;
}

/**
 * The notifiers' small HTTP face for orchestrators and Prometheus: GET /healthz (the process
 * is alive), /readyz (dependencies answer) and /metrics. Plain node:http, so shared stays free of express.
 */
export function createOpsServer(opts: OpsServerOptions): http.Server {
  return http.createServer((req, res) => {
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      opts.ready().then(
        (ok) => send(ok ? 200 : 503, ok ? 'ready\n' : 'not ready: Redis does not answer\n'),
        () => send(503, 'not ready: Redis does not answer\n'),
      );
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => send(200, text, opts.registry.contentType),
        (err: Error) => send(500, `metrics failed: ${err.message}\n`),
      );
      return;
    }
    send(404, 'not found: try /healthz, /readyz or /metrics\n');
  });
}

/**
 * Serves the ops endpoints on `listen` (nothing when port is 0) with readiness = Redis PING
 * answered within a second; resolves once listening. Called from a service's main.ts.
 */
export async function startOpsServer(opts: {
  registry: Registry;
  redis: { ping(): Promise<string> };
  listen: { host: string; port: number };
  logger: { info(msg: string, meta?: object): unknown };
}): Promise<http.Server | null> {
  if (!opts.listen.port) return null;
  const server = createOpsServer({ registry: opts.registry, ready: async () => (await pingWithin(opts.redis), true) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listen.port, opts.listen.host, resolve);
  });
  opts.logger.info('ops endpoints listening', { url: `http://${opts.listen.host}:${opts.listen.port}`, paths: ['/healthz', '/readyz', '/metrics'] });
  return server;
}
