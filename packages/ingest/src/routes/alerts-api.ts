import express, { type Router } from 'express';
import {
  GatewayError,
  getAlert,
  listAlerts,
  matches,
  MAX_PAGE,
  parseMatchers,
  type AlertRecord,
  type AlertStatus,
  type Matcher,
  type RedisClient,
} from '@alertgw/shared';
import { sendError } from '../http-reply';
import { queryInt, queryList, queryOne } from '../query-params';

const STATUSES: readonly string[] = ['firing', 'resolved'];
// RE2 matches in linear time, but a large regexp over many long labels still adds up: past this
// much matching CPU one request is refused rather than holding the event loop.
const MATCH_BUDGET_MS = 1_000;

/**
 * GET /api/v1/alerts (filters, all must hold: status=firing|resolved, severity=<label value>,
 * matcher=<Alertmanager matcher>, repeatable; page: offset, limit ≤ 500; newest first) and
 * GET /api/v1/alerts/:fingerprint (the record with its timeline).
 */
export function alertsApi(deps: { redis: RedisClient; prefix: string }): Router {
  const router = express.Router();

  router.get('/api/v1/alerts', async (req, res) => {
    const status = queryOne(req, 'status');
    if (status !== undefined && !STATUSES.includes(status)) {
      throw new GatewayError('BAD_REQUEST', `status must be one of ${STATUSES.join(', ')}`);
    }
    let matchers: Matcher[];
    try {
      matchers = queryList(req, 'matcher').flatMap((m) => parseMatchers(m));
    } catch (err) {
      throw new GatewayError('BAD_REQUEST', `bad matcher: ${(err as Error).message}`);
    }
    let matchingMs = 0;
    const filter = (r: AlertRecord): boolean => {
      const start = performance.now();
      const ok = matches(matchers, r.labels);
      matchingMs += performance.now() - start;
      if (matchingMs > MATCH_BUDGET_MS) {
        throw new GatewayError('BAD_REQUEST', `matcher too costly: over ${MATCH_BUDGET_MS} ms of regexp matching; use a simpler regexp or narrow with status/severity`);
      }
      return ok;
    };
    const page = await listAlerts(deps.redis, deps.prefix, {
      status: status as AlertStatus | undefined,
      severity: queryOne(req, 'severity'),
      filter: matchers.length ? filter : undefined,
      offset: queryInt(req, 'offset', 0),
      limit: queryInt(req, 'limit', 50, MAX_PAGE),
    });
    res.json(page);
  });

  router.get('/api/v1/alerts/:fingerprint', async (req, res) => {
    const found = await getAlert(deps.redis, deps.prefix, String(req.params.fingerprint));
    if (!found) return sendError(res, 404, 'not_found', 'no record for this fingerprint (never seen, or expired)');
    res.json(found);
  });
  return router;
}
