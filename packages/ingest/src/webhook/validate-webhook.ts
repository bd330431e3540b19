import Ajv from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats';
import { ajvProblems, rememberAnswers, type WebhookMessage } from '@alertgw/shared';
import { WEBHOOK_SCHEMA } from './schema';

/** A problem in a webhook body: JSON pointer ("/alerts/0/labels/severity"; "/" = the body) and message. */
export interface WebhookProblem {
  path: string;
  message: string;
}

/** At most this many problems are reported, so a hostile body cannot make a huge answer. */
export const MAX_REPORTED_PROBLEMS = 100;

/**
 * Date-times remembered (the schema caps one at 64 characters): ~10 KB at most. Every delivery
 * repeats its alerts' startsAt and the "no end" endsAt, and the full check takes three regexps.
 */
const DATE_TIMES_REMEMBERED = 128;

// Compiled once at load: compiling costs milliseconds, validating microseconds.
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', rememberAnswers(fullDateTime(), { entries: DATE_TIMES_REMEMBERED, maxLength: 64 }));
const check = ajv.compile<WebhookMessage>(WEBHOOK_SCHEMA);

/** ajv-formats' `date-time` check, as addFormats(ajv, ['date-time']) would install it. */
function fullDateTime(): (value: string) => boolean {
  const format = fullFormats['date-time'];
  if (typeof format !== 'object' || format instanceof RegExp || typeof format.validate !== 'function') throw new Error('ajv-formats changed its date-time format');
  return format.validate as (value: string) => boolean;
}

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
