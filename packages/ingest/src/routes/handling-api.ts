import express, { type Request, type Router } from 'express';
import { GatewayError } from '@alertgw/shared';
import { isFingerprint } from '@alertgw/shared';
import type { AlertActions } from '../handling/alert-actions';
import { whileStarting } from '../http-reply';
import { principalOf } from '../jwt-auth';
import { checkPathParam } from './path-params';

/** Largest action body (a comment is at most 2000 characters). */
const BODY_LIMIT = '32kb';

/** The JSON body of an action as a plain object with only `allowed` keys (an empty body is {}). */
function bodyOf(req: Request, allowed: readonly string[]): Record<string, unknown> {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('BAD_REQUEST', 'the body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) throw new GatewayError('BAD_REQUEST', `unknown field "${unknown[0]!.slice(0, 40)}" (allowed: ${allowed.join(', ') || 'none'})`);
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new GatewayError('BAD_REQUEST', `${key} must be a string`);
  return value;
}

/**
 * Per-alert handling, each action written to the alert's timeline with who (the token's
 * subject) and when:
 * POST /api/v1/alerts/:fingerprint/ack {comment?, silence?: "2h"} — no more reminders for this
 *   firing; with silence, an Alertmanager silence on the alert's exact labels (ends with the ack);
 * POST /api/v1/alerts/:fingerprint/unack — reminders resume, the silence is expired;
 * POST /api/v1/alerts/:fingerprint/comment {comment};
 * POST /api/v1/alerts/:fingerprint/assign {user} — a user of the directory.
 * Guarded by the operator role (app.ts).
 */
export function handlingApi(deps: { actions: AlertActions; ready?: () => boolean }): Router {
  const router = express.Router();
  checkPathParam(router, 'fingerprint', isFingerprint, 'fingerprint (1-64 of A-Z a-z 0-9 _ -)');
  if (deps.ready) router.post('/api/v1/alerts/:fingerprint/:action', whileStarting(deps.ready));
  const json = express.json({ limit: BODY_LIMIT, strict: true });
  const fp = (req: Request) => String(req.params.fingerprint);

  router.post('/api/v1/alerts/:fingerprint/ack', json, async (req, res) => {
    const body = bodyOf(req, ['comment', 'silence']);
    const result = await deps.actions.ack(fp(req), {
      by: principalOf(res).sub,
      comment: optionalString(body, 'comment'),
      silence: optionalString(body, 'silence'),
    });
    res.json(result);
  });

  router.post('/api/v1/alerts/:fingerprint/unack', json, async (req, res) => {
    bodyOf(req, []);
    res.json(await deps.actions.unack(fp(req), { by: principalOf(res).sub }));
  });

  router.post('/api/v1/alerts/:fingerprint/comment', json, async (req, res) => {
    const comment = optionalString(bodyOf(req, ['comment']), 'comment');
    if (comment === undefined) throw new GatewayError('BAD_REQUEST', 'comment is required');
    await deps.actions.comment(fp(req), { by: principalOf(res).sub, comment });
    res.json({ ok: true });
  });

  router.post('/api/v1/alerts/:fingerprint/assign', json, async (req, res) => {
    const user = optionalString(bodyOf(req, ['user']), 'user');
    if (user === undefined) throw new GatewayError('BAD_REQUEST', 'user is required');
    await deps.actions.assign(fp(req), { by: principalOf(res).sub, user });
    res.json({ ok: true, assignee: user });
  });
  return router;
}
