import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ackLinkSettings, createRegistry, GatewayError, isRedisUnavailable, registerQueueDepthGauge } from '@alertgw/shared';
import type { GatewayConfig, Logger, NotificationPayload, RedisClient, TaskQueue } from '@alertgw/shared';
import type { Registry } from 'prom-client';
import { ackLinkRoutes } from './ack-link/ack-link-routes';
import { createAcceptDelivery } from './accept-delivery';
import { createAuthCheck } from './auth';
import type { HandlingRuntime } from './handling-runtime';
import { echo, sendError } from './http-reply';
import { createIngestMetrics, type IngestMetrics } from './ingest-metrics';
import { createJwtAuth, type Role } from './jwt-auth';
import type { RecipientResolver } from './plan-tasks';
import { alertsApi } from './routes/alerts-api';
import { directoryApi } from './routes/directory-api';
import { handlingApi } from './routes/handling-api';
import { healthRoutes } from './routes/health-routes';
import { tasksApi } from './routes/tasks-api';
import { RETRY_AFTER_SECONDS, webhookRoute } from './routes/webhook-route';
import { createMatchPool } from './matching/match-pool';

/** Everything the ingest app is made of; main.ts builds these from config and env. */
export interface AppDeps {
  config: GatewayConfig;
  redis: RedisClient;
  /** One queue per channel, by channel name. */
  queues: ReadonlyMap<string, TaskQueue<NotificationPayload>>;
  resolver: RecipientResolver;
  logger: Logger;
  /** Registry for /metrics; a fresh one per app when left out (never prom-client's global). */
  registry?: Registry;
  now?: () => Date;
  /** Alert handling and the live directory (main.ts starts it); absent, no ack/escalation/directory API. */
  handling?: HandlingRuntime;
}

/** The app and what tests and main.ts may want to look at. */
export interface IngestApp {
  /**
   * What to serve: node:http's request listener (`http.createServer(serve)`). It answers
   * Alertmanager's deliveries itself and hands every other request to `app`.
   */
  serve: RequestListener;
  /** The express app: every endpoint, the webhook included, but served alone it takes the slower way for deliveries. */
  app: Express;
  registry: Registry;
  metrics: IngestMetrics;
}

/**
 * Builds the ingest express app: webhook (its own bearer/basic auth), the management API
 * under /api (JWT: viewer reads, operator acts and manages), health and metrics (open).
 * No I/O happens here.
 */
export function createApp(deps: AppDeps): IngestApp {
  const { config, logger } = deps;
  const registry = deps.registry ?? createRegistry();
  const metrics = createIngestMetrics(registry);
  // The handling queue too: a dead silence expiry shows as queue="handling",state="dead" (a dead escalation tier under queue="sms").
  const queues = [...deps.queues.values(), ...(deps.handling ? [deps.handling.tasks] : [])] as Array<TaskQueue<unknown>>;
  registerQueueDepthGauge(registry, queues);
  const auth = createAuthCheck(config.ingest.auth);
  if (!auth.enabled) {
    logger.warn(
      '!!! NO AUTH CONFIGURED for POST /webhook/alertmanager: anyone who can reach this port can create notifications. ' +
        'Set ingest.auth.bearerTokens or ingest.auth.basic (from the environment) and the same credentials in Alertmanager http_config. !!!',
    );
  }
  const jwt = createJwtAuth(config.auth.jwt, logger);
  if (!jwt.enabled) {
    logger.warn(
      '!!! MANAGEMENT API DISABLED: auth.jwt names no key, so /api/v1/* (alerts, tasks, ack, users, routes) answers 503. ' +
        'Set auth.jwt.hs256Secret (from the environment) or auth.jwt.publicKey. !!!',
    );
  }
  const accept = createAcceptDelivery({ ...deps, metrics, handling: deps.handling?.delivery });

  const app = express();
  app.disable('x-powered-by');
  // Nothing here is cacheable; hashing every answer for an ETag is wasted work.
  app.set('etag', false);
  const answering = commonAnswer(metrics);
  const answerError = errorHandler(logger);
  const webhook = webhookRoute({
    auth,
    accept,
    metrics,
    logger,
    bodyLimitBytes: config.ingest.bodyLimitBytes,
    answering,
    // As express would: the error handler answers; if it cannot (the answer had begun), the connection is cut.
    failed: (err, req, res) => {
      try {
        answerError(err, req, res, () => {});
      } catch {
        req.socket.destroy();
      }
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    answering(req, res);
    next();
  });
  app.use(webhook.router);
  app.use(healthRoutes({ redis: deps.redis, registry }));
  // One gate for the whole management API, before any of its routes: unknown paths under /api
  // answer 401 too, so nothing about the API shows without a token.
  const gate: Record<Role, ReturnType<typeof jwt.require>> = { viewer: jwt.require('viewer'), operator: jwt.require('operator') };
  app.use('/api', (req: Request, res: Response, next: NextFunction) => gate[roleFor(req)](req, res, next));
  // Request-supplied regexps and labels are matched on these worker threads, never on the event loop.
  const matching = createMatchPool();
  app.use(alertsApi({ redis: deps.redis, prefix: config.redis.keyPrefix, matching }));
  app.use(tasksApi({ queues: deps.queues }));
  if (deps.handling) {
    const handling = deps.handling;
    const ready = () => handling.ready;
    app.use(handlingApi({ actions: handling.actions, ready }));
    app.use(directoryApi({ store: handling.store, live: handling.directory, config, ready, matching }));
    const settings = ackLinkSettings(config);
    if (settings) app.use(ackLinkRoutes({ settings, redis: deps.redis, actions: handling.actions, canSilence: config.alertmanager.url !== '', ready, logger }));
    else logger.warn('ack links are off: notifications carry no ack link until ingest.publicUrl (and ingest.ackLinks.key) is set');
  }
  app.use((_req: Request, res: Response) => sendError(res, 404, 'not_found', 'no such endpoint'));
  app.use(answerError);
  // Nearly every request is a delivery: it is served before express (it does what the app's layers do itself).
  const serve: RequestListener = (req, res) => {
    if (!webhook.front(req, res)) app(req, res);
  };
  return { serve, app, registry, metrics };
}

/** Reading needs the viewer role; acting and managing the operator role. A route test only reads. */
function roleFor(req: Request): Role {
  if (req.method === 'GET' || req.method === 'HEAD') return 'viewer';
  if (req.method === 'POST' && req.path === '/v1/routes/test') return 'viewer';
  return 'operator';
}

/**
 * What every answer gets: its latency recorded under its route pattern (bounded label values: the
 * pattern express matched, else `route` when given, else "unmatched"), and a header that stops
 * browsers from sniffing it: answers quote untrusted alert text (HTML in annotations).
 */
function commonAnswer(metrics: IngestMetrics) {
  return (req: IncomingMessage & { route?: { path: string } }, res: ServerResponse, route?: string) => {
    const start = performance.now();
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.once('finish', () => {
      metrics.requestDuration.observe(
        { route: req.route?.path ?? route ?? 'unmatched', method: req.method, code: String(res.statusCode) },
        (performance.now() - start) / 1000,
      );
    });
  };
}

/** Where errors stop: GatewayError codes map to HTTP statuses, Redis trouble to 503, the rest to 500 (logged). */
function errorHandler(logger: Logger) {
  return (err: unknown, _req: IncomingMessage, res: ServerResponse, _next: NextFunction) => {
    if (err instanceof GatewayError && err.code === 'BAD_REQUEST') {
      const problems = err.details?.problems;
      return sendError(res, 400, 'bad_request', err.message, Array.isArray(problems) ? { problems } : {});
    }
    if (err instanceof GatewayError && err.code === 'NOT_FOUND') return sendError(res, 404, 'not_found', err.message);
    if (err instanceof GatewayError && err.code === 'CONFLICT') return sendError(res, 409, 'conflict', err.message);
    if (err instanceof GatewayError && err.code === 'UPSTREAM_FAILED') {
      logger.warn('request failed: Alertmanager', { err: err.message });
      return sendError(res, 502, 'upstream_failed', err.message);
    }
    if (err instanceof GatewayError && err.code === 'BUSY') {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      return sendError(res, 503, 'busy', err.message);
    }
    if (isRedisUnavailable(err)) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      logger.warn('request failed: Redis unavailable', { err: (err as Error).message });
      return sendError(res, 503, 'redis_unavailable', 'Redis is unavailable; retry later');
    }
    if ((err as { type?: string }).type === 'entity.parse.failed') return sendError(res, 400, 'malformed_json', 'the body is not valid JSON');
    if ((err as { type?: string }).type === 'entity.too.large') return sendError(res, 413, 'too_large', 'the body is too large');
    // Other refusals by body-parser (a Content-Encoding whose bytes do not inflate) and by the
    // router (a path parameter that is not valid percent-encoded UTF-8) carry a 4xx status:
    // such a request can never succeed, so it must not get a 5xx.
    const { status, expose } = err as { status?: unknown; expose?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const why = expose === true || err instanceof URIError ? `: ${echo((err as Error).message)}` : '';
      return sendError(res, status, 'bad_request', `the request cannot be read${why}`);
    }
    logger.error('request failed', { err });
    return sendError(res, 500, 'internal', 'internal error');
  };
}
