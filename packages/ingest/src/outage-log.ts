/** How often, at most, a repeated outage line is written while the outage lasts. */
export const OUTAGE_LOG_INTERVAL_MS = 10_000;

/**
 * A log line for something that repeats once per request during an outage (a 503 per webhook):
 * the first occurrence is written at once, later ones at most once per interval with how many
 * were held back, so an outage at hundreds of webhooks a second stays a few readable lines.
 */
export function outageLog<A>(write: (latest: A, heldBack: number) => void, intervalMs = OUTAGE_LOG_INTERVAL_MS, now = Date.now): (latest: A) => void {
  let lastWritten = -Infinity;
  let heldBack = 0;
  return (latest) => {
    const t = now();
    if (t - lastWritten < intervalMs) {
      heldBack += 1;
      return;
    }
    write(latest, heldBack);
    lastWritten = t;
    heldBack = 0;
  };
}
