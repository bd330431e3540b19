/** Exponential backoff settings. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog): a uniform draw in
 * [0, min(max, base·2^(attempt-1))], so replicas that failed together do not retry together.
 * `floorMs` is a lower bound a provider asked for (e.g. a rate limit that clears in 30 s).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, floorMs = 0, random = Math.random): number {
  const cap = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(floorMs, Math.floor(random() * cap));
}
