import express, { type Router } from 'express';
import {
  GatewayError,
  getAlert,
  listAlerts,
  MAX_PAGE,
  parseMatchers,
  redact,
  type AlertRecord,
  type AlertStatus,
  type Matcher,
  type RedisClient,
} from '@alertgw/shared';
import { isFingerprint } from '@alertgw/shared';
import { sendError } from '../http-reply';
import { queryInt, queryList, queryOne } from '../query-params';
import { checkPathParam } from './path-params';
import { createMatchPool, type MatchPool } from '../matching/match-pool';

const STATUSES: readonly string[] = ['firing', 'resolved'];
// RE2 matches in linear time, but a large regexp over long labels still adds up: past this much
// matching time (on a worker thread) one request is refused and its worker stopped.
const MATCH_BUDGET_MS = 1_000;

/**
 * GET /api/v1/alerts (filters, all must hold: status=firing|resolved, severity=<label value>,
 * matcher=<Alertmanager matcher>, repeatable; page: offset, limit ≤ 500; newest first; with
 * severity, `severityIndexed` says whether its index answered or every record was read) and
 * GET /api/v1/alerts/:fingerprint (the record with its timeline, phone numbers in events
 * masked; 400 unless FINGERPRINT_PATTERN).
 */
export function alertsApi(deps: { redis: RedisClient; prefix: string; matching?: MatchPool }): Router {
  const router = express.Router();
  const matching = deps.matching ?? createMatchPool();
  checkPathParam(router, 'fingerprint', isFingerprint, 'fingerprint (1-64 of A-Z a-z 0-9 _ -)');

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
    let budgetMs = MATCH_BUDGET_MS;
    const spec = matchers.map(({ type, name, value }) => ({ type, name, value }));
    // Matching runs on a worker thread, stopped at the request's deadline: one hostile match (RE2 is
    // linear, yet [ab]*a[ab]{999}x over a 16k label takes seconds) cannot hold the event loop.
    const filter = async (records: AlertRecord[]): Promise<boolean[]> => {
      if (budgetMs <= 0) throw tooCostly();
      try {
        const { result, ms } = await matching.run<boolean[]>({ op: 'match', matchers: spec, labelSets: records.map((r) => r.labels) }, budgetMs);
        budgetMs -= ms;
        return result;
      } catch (err) {
        if (err instanceof GatewayError && err.details?.deadline) throw tooCostly();
        throw err;
      }
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
    // Notification events are keyed by recipient and may quote numbers; viewers read them.
    res.json({ alert: found.alert, timeline: found.timeline.map((e) => redact(e)) });
  });
  return router;
}

function tooCostly(): GatewayError {
  return new GatewayError('BAD_REQUEST', `matcher too costly: over ${MATCH_BUDGET_MS} ms of regexp matching; use a simpler regexp or narrow with status/severity`);
}
