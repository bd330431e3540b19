import express, { type Router } from 'express';
import type { RedisClient } from '@alertgw/shared';
import type { Registry } from 'prom-client';

/** How long /readyz waits for PING; a hung Redis must not hang the probe. */
const READY_TIMEOUT_MS = 1000;

/**
 * GET /healthz (the process serves HTTP), GET /readyz (Redis answers PING; a load balancer
 * should stop sending webhooks otherwise, since they would get 503) and GET /metrics.
 */
export function healthRoutes(deps: { redis: RedisClient; registry: Registry }): Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([deps.redis.ping(), timeout]);
      res.json({ status: 'ready' });
    } catch (err) {
      res.status(503).json({ status: 'not ready', error: 'redis_unavailable', message: `Redis does not answer: ${(err as Error).message}` });
    } finally {
      clearTimeout(timer);
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  return router;
}
