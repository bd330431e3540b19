import { CliError, EXIT } from './command';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration like "500ms", "5s", "2m", "1h" or "1m30s" into milliseconds; a bare
 * number means seconds. Anything else is a usage error naming the option.
 */
export function parseDuration(text: string, option: string): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new CliError(`${option} must be a duration like 5s, 500ms, 2m or 1m30s, got "${text}"`, EXIT.usage);
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]], 0));
}
