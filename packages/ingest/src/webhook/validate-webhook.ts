import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ajvProblems, type WebhookMessage } from '@alertgw/shared';
import { WEBHOOK_SCHEMA } from './schema';

/** A problem in a webhook body: JSON pointer ("/alerts/0/labels/severity"; "/" = the body) and message. */
export interface WebhookProblem {
  path: string;
  message: string;
}

/** At most this many problems are reported, so a hostile body cannot make a huge answer. */
export const MAX_REPORTED_PROBLEMS = 100;

// Compiled once at load: compiling costs milliseconds, validating microseconds.
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv, ['date-time']);
const check = ajv.compile<WebhookMessage>(WEBHOOK_SCHEMA);

/**
 * Checks an untrusted webhook body against Alertmanager's version-4 schema and lists every
 * problem by JSON pointer (capped at MAX_REPORTED_PROBLEMS, the last entry saying how many more).
 */
export function validateWebhook(
  body: unknown,
): { ok: true; value: WebhookMessage } | { ok: false; errors: WebhookProblem[] } {
  if (check(body)) return { ok: true, value: body };
  const problems = ajvProblems(check.errors).map((p) => ({ path: p.pointer || '/', message: p.message }));
  if (problems.length <= MAX_REPORTED_PROBLEMS) return { ok: false, errors: problems };
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS - 1);
  shown.push({ path: '/', message: `and ${problems.length - shown.length} more problems` });
  return { ok: false, errors: shown };
}
