import express, { type Router } from 'express';
import { pingWithin, type RedisClient } from '@alertgw/shared';
import type { Registry } from 'prom-client';

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
    try {
      await pingWithin(deps.redis);
      res.json({ status: 'ready' });
    } catch (err) {
      res.status(503).json({ status: 'not ready', error: 'redis_unavailable', message: `Redis does not answer: ${(err as Error).message}` });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
  return router;
}
