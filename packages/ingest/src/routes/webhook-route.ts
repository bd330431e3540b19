import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { GatewayError, type Logger } from '@alertgw/shared';
import { validateWebhook } from '../webhook';
import type { AcceptDelivery } from '../accept-delivery';
import type { AuthCheck } from '../auth';
import { echo, sendError, sendJson } from '../http-reply';
import type { IngestMetrics, RejectReason } from '../ingest-metrics';
import { outageLog } from '../outage-log';
import { isPlainJson, readJsonBody } from './read-json-body';

/** Seconds Alertmanager is asked to wait before retrying a 503 (it backs off on its own too). */
export const RETRY_AFTER_SECONDS = 5;

/** What the webhook route needs. */
export interface WebhookRouteDeps {
  auth: AuthCheck;
  accept: AcceptDelivery;
  metrics: IngestMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  /** What the app does to every request it answers (headers, latency metric), for `front` to do too. */
  answering: (req: IncomingMessage, res: ServerResponse, route: string) => void;
  /** The app's answer to an error no step of the route answered (express's error handler for `router`). */
  failed: (err: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

/** The webhook, served in two places: `front` before express, `router` inside it. */
export interface WebhookRoute {
  /**
   * Serves what Alertmanager sends, from node:http's request listener before express sees the
   * request (express's dispatch, its req/res prototypes and router layers cost more than a
   * delivery's validation): `POST /webhook/alertmanager` spelled exactly so, with a plain UTF-8
   * JSON body (isPlainJson). It answers with the app's common headers and latency metric
   * (`answering`) and its errors (`failed`), and returns true; for anything else it does nothing
   * and returns false, and express serves the request.
   */
  front: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** The same route inside express: the other spellings (trailing slash, other case) and bodies (gzip, other charsets). */
  router: Router;
}

/** The exact path Alertmanager posts to; `front` takes it with or without a query string. */
export const WEBHOOK_PATH = '/webhook/alertmanager';

/**
 * POST /webhook/alertmanager: auth (401) → content type (415) → body within the limit
 * (413) and valid JSON (400) → schema, every problem listed (400) → tasks and records in
 * Redis → 200 with a summary, or 503 + Retry-After when Redis is unavailable (Alertmanager
 * retries 5xx and drops on 4xx), or 500 when Redis refused the write for good (a bug, logged:
 * never a 503 for what would fail identically again). Nothing touches Redis before the body
 * is fully valid, fingerprints included (FINGERPRINT_PATTERN).
 */
export function webhookRoute(deps: WebhookRouteDeps): WebhookRoute {
  const router = express.Router();
  const { metrics, logger } = deps;
  const logUnavailable = outageLog((err: string, heldBack) =>
    logger.error('delivery not stored: Redis unavailable, answering 503 so Alertmanager retries', {
      err,
      ...(heldBack ? { alsoAnswered503SinceLastLine: heldBack } : {}),
    }),
  );
  const parseJson = express.json({
    limit: deps.bodyLimitBytes,
    type: () => true,
    strict: true,
    // The bytes as received (after any Content-Encoding), so the alerts can be stored without re-serializing them.
    // UTF-8 only (the default): a body sent as UTF-16 is re-serialized instead.
    verify: (req, _res, buf, encoding) => {
      if (/^utf-?8$/i.test(encoding)) (req as Request & { rawBody?: Buffer }).rawBody = buf;
    },
  });

  const reject = (res: ServerResponse, status: number, reason: RejectReason, message: string, extra?: Record<string, unknown>) => {
    metrics.rejected.inc({ reason });
    logger.warn('webhook delivery rejected', { reason, status, message });
    sendError(res, status, reason, message, extra);
  };

  // The route's last step: schema, then Redis, then the answer (or 503/500).
  const deliver = async (body: unknown, raw: Buffer | undefined, res: ServerResponse) => {
    const result = validateWebhook(body);
    if (!result.ok) {
      return reject(res, 400, 'invalid_schema', `the body is not an Alertmanager webhook (version 4): ${result.errors.length} problem(s)`, {
        problems: result.errors,
      });
    }
    try {
      const summary = await deps.accept(result.value, raw);
      // One line per delivery: at 3 a.m. this is how to tell "never arrived" from "arrived, sent nowhere".
      // (Checked first: building the line costs more than winston's own level check saves.)
      if (logger.isInfoEnabled()) {
        logger.info('delivery accepted', {
          receiver: result.value.receiver,
          groupKey: result.value.groupKey,
          status: result.value.status,
          alerts: result.value.alerts.length,
          duplicate: summary.duplicate,
          created: summary.created,
          skipped: summary.skipped,
        });
      }
      sendJson(res, 200, summary);
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'REDIS_UNAVAILABLE') {
        res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
        metrics.rejected.inc({ reason: 'redis_unavailable' });
        logUnavailable(err.message);
        return sendError(res, 503, 'redis_unavailable', 'Redis did not confirm the write; the delivery was not accepted, retry later');
      }
      // Not unavailability: the same delivery would fail the same way again, so no 503. A 500 is
      // still retried by Alertmanager, but it is logged as the bug it is and counted apart.
      metrics.rejected.inc({ reason: 'internal' });
      logger.error('delivery failed: not a Redis outage, a bug or data Redis refuses (please report)', { err });
      sendError(res, 500, 'internal', 'internal error; the delivery was not accepted');
    }
  };

  // Refusals while reading the body, from readJsonBody or body-parser (size, JSON syntax, encodings).
  const bodyRefused = (err: unknown, res: ServerResponse, next: (err: unknown) => void) => {
    const type = (err as { type?: string }).type;
    switch (type) {
      case 'entity.too.large':
        return reject(res, 413, 'too_large', `the body exceeds the limit of ${deps.bodyLimitBytes} bytes`);
      case 'entity.parse.failed':
        return reject(res, 400, 'malformed_json', `the body is not valid JSON: ${echo((err as Error).message)}`);
      case 'encoding.unsupported':
      case 'charset.unsupported':
        return reject(res, 415, 'unsupported_media_type', echo((err as Error).message));
      case 'request.aborted':
      case 'request.size.invalid':
        return reject(res, 400, 'malformed_json', 'the body was cut short');
      default:
        return next(err);
    }
  };

  // Auth first (401), for both ways in.
  const authorized = (req: IncomingMessage, res: ServerResponse): boolean => {
    metrics.received.inc();
    if (deps.auth(req.headers.authorization)) return true;
    res.setHeader('WWW-Authenticate', 'Bearer realm="alertgw", Basic realm="alertgw", charset="UTF-8"');
    reject(res, 401, 'unauthorized', 'missing or wrong credentials: send the configured Bearer token or Basic auth');
    return false;
  };

  // What Alertmanager sends (uncompressed UTF-8 JSON with a body) is read without body-parser.
  const readPlain = (req: IncomingMessage, res: ServerResponse, next: (err: unknown) => void) => {
    readJsonBody(req, deps.bodyLimitBytes).then(
      (body) => deliver(body.value, body.raw, res).catch(next),
      (err: unknown) => bodyRefused(err, res, next),
    );
  };

  const handle = (req: Request, res: Response, next: NextFunction) => {
    if (!authorized(req, res)) return;
    if (isPlainJsonWithBody(req)) return readPlain(req, res, next);
    const length = req.headers['content-length'];
    const type = req.is(['application/json', 'application/*+json']);
    // type-is answers null when there is no body at all, false when the type is wrong.
    if (type === null || length === '0') return reject(res, 400, 'malformed_json', 'the body is empty');
    if (type === false) {
      const got = req.headers['content-type'];
      return reject(res, 415, 'unsupported_media_type', `Content-Type must be application/json, got ${got ? `"${echo(got)}"` : 'none'}`);
    }
    parseJson(req, res, (err?: unknown) => {
      if (err) return bodyRefused(err, res, next);
      deliver(req.body, (req as Request & { rawBody?: Buffer }).rawBody, res).catch(next);
    });
  };
  router.post(WEBHOOK_PATH, handle);

  const front = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url!;
    if (req.method !== 'POST' || !url.startsWith(WEBHOOK_PATH) || (url.length !== WEBHOOK_PATH.length && url[WEBHOOK_PATH.length] !== '?')) return false;
    if (!isPlainJsonWithBody(req)) return false;
    deps.answering(req, res, WEBHOOK_PATH);
    const next = (err: unknown) => deps.failed(err, req, res);
    // Outside express nothing else would catch a throw: it would end the process, not answer a 500.
    try {
      if (authorized(req, res)) readPlain(req, res, next);
    } catch (err) {
      next(err);
    }
    return true;
  };
  return { front, router };
}

/** A plain UTF-8 JSON body (isPlainJson) that is there: a declared non-zero length, or chunked. */
function isPlainJsonWithBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return isPlainJson(req) && length !== '0' && (length !== undefined || req.headers['transfer-encoding'] !== undefined);
}
