/**
 * Longest run of letters any generated string keeps. Until matchers run on RE2, a regex like
 * `(a+)+$` against "aaaa…!" backtracks for 2^n steps: 16 keeps that under a millisecond.
 * FUZZ_REDOS_GATE=0 lifts the gate (do that once RE2 is merged).
 */
export const REDOS_GATE = Number(process.env.FUZZ_REDOS_GATE ?? 16);

/** Cuts every run of letters to REDOS_GATE (see there), in every string value (not key) of a JSON-like value. */
export function gate<T>(value: T): T {
  if (!(REDOS_GATE > 0)) return value;
  const cut = (s: string) => s.replace(new RegExp(`[A-Za-z]{${REDOS_GATE + 1},}`, 'g'), (m) => m.slice(0, REDOS_GATE));
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return cut(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      // Keys stay: regexes match label values, and field names like commonAnnotations must survive.
      for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: walk(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
