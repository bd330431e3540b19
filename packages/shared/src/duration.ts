/**
 * The one duration grammar of the project, Alertmanager's and Go's: a number and a unit, repeated
 * ("500ms", "30s", "90m", "1h30m", "1.5h", "3d", "1w"). A bare number is refused, because
 * nobody can tell whether "30" means seconds or minutes; only "0" is accepted, as in Go.
 */
const UNITS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
  ['w', 604_800_000],
]);

/** Longer text is no duration anyone means; the cap also keeps every sum finite. */
const MAX_LENGTH = 64;

/** The examples error messages show unless the caller names its own. */
const EXAMPLES = '30s, 5m or 1h30m';

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * Parses a duration ("500ms", "1h30m", "1.5h", "3d") into milliseconds, or undefined when the
 * text is not one. A scanner, not a regular expression: the text may come from the network.
 */
export function parseDurationMs(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s.length === 0 || s.length > MAX_LENGTH) return undefined;
  let total = 0;
  let i = 0;
  while (i < s.length) {
    const start = i;
    while (isDigit(s[i])) i++;
    if (i === start) return undefined;
    if (s[i] === '.') {
      const fraction = ++i;
      while (isDigit(s[i])) i++;
      if (i === fraction) return undefined;
    }
    const value = Number(s.slice(start, i));
    const unit = s.startsWith('ms', i) ? 'ms' : (s[i] ?? '');
    const scale = UNITS.get(unit);
    if (scale === undefined) return undefined;
    i += unit.length;
    total += value * scale;
  }
  return Math.round(total);
}

/**
 * The message for `text` that is not a duration, naming the option or field; for a bare number
 * it says which unit to add, since older alertctl versions read bare numbers as seconds.
 */
export function durationProblem(name: string, text: string, examples = EXAMPLES): string {
  const t = text.trim();
  const shown = JSON.stringify(t.length > MAX_LENGTH ? `${t.slice(0, MAX_LENGTH)}…` : t);
  const bare = t.length > 0 && !/[a-z]/i.test(t) && parseDurationMs(`${t}s`) !== undefined;
  const hint = bare ? `; for ${t} seconds write ${t}s` : '';
  return `${name} must be a duration with a unit (ms, s, m, h, d, w) like ${examples}, got ${shown}${hint}`;
}
