import type { ErrorObject } from 'ajv';

/** One validation problem: where (JSON pointer, "" = the whole document) and what is wrong. */
export interface SchemaProblem {
  pointer: string;
  message: string;
}

const FORMAT_NAMES: Record<string, string> = {
  'date-time': 'an RFC 3339 date-time like 2024-01-31T12:00:00Z',
  uri: 'an absolute URI',
};

/** Keys come from untrusted input; a long one is cut so that problems stay small. */
const MAX_SEGMENT = 128;

/** Escapes one JSON-pointer segment (RFC 6901). */
function segment(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Cuts every over-long segment of a pointer. */
function shorten(pointer: string): string {
  if (pointer.length <= MAX_SEGMENT) return pointer;
  return pointer
    .split('/')
    .map((s) => (s.length > MAX_SEGMENT ? `${s.slice(0, MAX_SEGMENT)}…` : s))
    .join('/');
}

/**
 * Turns ajv's errors into one readable problem each, pointing at the offending value itself
 * (a missing or unknown key points at the key, not at its parent object). Never includes the
 * offending value: it may be a secret.
 */
export function ajvProblems(errors: ErrorObject[] | null | undefined): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const err of errors ?? []) {
    const described = describe(err);
    if (!described) continue;
    const problem = { pointer: shorten(described.pointer), message: described.message };
    const key = `${problem.pointer}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

function describe(err: ErrorObject): SchemaProblem | undefined {
  const params = err.params as Record<string, unknown>;
  const at = err.instancePath;
  // The inner error of `propertyNames` carries the bad name; the outer one only repeats it.
  if (err.keyword === 'propertyNames') return undefined;
  const name = (err as ErrorObject & { propertyName?: string }).propertyName;
  if (name !== undefined) {
    return { pointer: `${at}/${segment(name)}`, message: `key ${err.message ?? 'is invalid'}` };
  }
  switch (err.keyword) {
    case 'required':
      return { pointer: `${at}/${segment(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties':
      return {
        pointer: `${at}/${segment(String(params.additionalProperty))}`,
        message: 'is not a known key (typo?)',
      };
    case 'type':
      return { pointer: at, message: `must be ${String(params.type).replace(',', ' or ')}` };
    case 'enum':
      return {
        pointer: at,
        message: `must be one of: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { pointer: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'format':
      return { pointer: at, message: `must be ${FORMAT_NAMES[String(params.format)] ?? `a ${String(params.format)}`}` };
    default:
      return { pointer: at, message: err.message ?? `fails ${err.keyword}` };
  }
}
