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
const dateTime = rememberAnswers(fullDateTime(), { entries: DATE_TIMES_REMEMBERED, maxLength: 64 });
const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat('date-time', dateTime);
const check = ajv.compile<WebhookMessage>(WEBHOOK_SCHEMA);

/**
 * The same schema with string lengths counted in UTF-16 code units (`.length`) instead of code
 * points: ajv's code-point count walks every character of every string, most of a valid body's
 * validation time. A string never has more code points than code units, so whatever passes here
 * is within every maxLength as `check` counts it too, and a minLength of at most 1 holds alike
 * both ways (asserted below): a body that passes is valid for `check`. One that does not is
 * judged by `check`, which also lists its problems. (`unicode` is deprecated in ajv 8 but still
 * honoured; without it this would count code points, still exact, only slower.)
 */
const quickAjv = new Ajv({ allErrors: false, strict: true, unicode: false, logger: withoutUnicodeDeprecation() });
quickAjv.addFormat('date-time', dateTime);
const quickCheck = quickAjv.compile<WebhookMessage>(assertMinLengthsAtMostOne(WEBHOOK_SCHEMA));

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
  if (quickCheck(body) || check(body)) return { ok: true, value: body as WebhookMessage };
  const problems = ajvProblems(check.errors).map((p) => ({ path: p.pointer || '/', message: p.message }));
  if (problems.length <= MAX_REPORTED_PROBLEMS) return { ok: false, errors: problems };
  const shown = problems.slice(0, MAX_REPORTED_PROBLEMS - 1);
  shown.push({ path: '/', message: `and ${problems.length - shown.length} more problems` });
  return { ok: false, errors: shown };
}

/** `schema`, after checking that no minLength in it exceeds 1 (quickCheck is exact only then). */
function assertMinLengthsAtMostOne<T>(schema: T): T {
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'minLength' && typeof value === 'number' && value > 1) throw new Error(`webhook schema: minLength ${value} at ${path}: quickCheck would not be exact`);
      walk(value, `${path}/${key}`);
    }
  };
  walk(schema, '');
  return schema;
}

/** ajv's logger minus its warning that option `unicode` is deprecated (quickAjv sets it on purpose). */
function withoutUnicodeDeprecation() {
  return {
    log: console.log,
    warn: (...args: unknown[]) => {
      if (!String(args[0]).includes('option unicode')) console.warn(...args);
    },
    error: console.error,
  };
}
