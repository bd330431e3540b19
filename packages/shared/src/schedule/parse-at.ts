import { DateTime } from 'luxon';
import { parseDurationMs } from '../duration';

/** What `--at` and `?at=` accept, for messages. */
export const AT_EXAMPLES = '"2026-03-02T09:59" (in the schedules\' zone), "2026-03-02T09:59+08:00", "2h" (from now) or "-30m"';

/**
 * Reads a moment to ask the schedules about: an ISO 8601 time (without an offset it is read in
 * `zone`), or a duration from now in the project's one grammar ("2h", "1d"; "-30m" for the past).
 * Undefined when the text is neither.
 */
export function parseAtTime(text: string, nowMs: number, zone: string): number | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length > 64) return undefined;
  const past = t.startsWith('-');
  const ms = parseDurationMs(past || t.startsWith('+') ? t.slice(1) : t);
  if (ms !== undefined) return past ? nowMs - ms : nowMs + ms;
  const at = DateTime.fromISO(t, { zone });
  return at.isValid ? at.toMillis() : undefined;
}
