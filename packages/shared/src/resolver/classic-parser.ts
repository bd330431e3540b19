import { newMatcher, type MatchType, type Matcher } from './matcher';
import { MatcherSyntaxError } from './matcher-syntax-error';

/*
 * A port of Alertmanager's classic matchers parser (pkg/labels/parse.go), which every
 * Alertmanager still accepts: optional braces, commas outside double quotes separate matchers,
 * names are [a-zA-Z_:][a-zA-Z0-9_:]*, values may be unquoted and only know the escapes \n \" \\
 * (any other backslash is literal, so `foo=~"\d+"` keeps its backslash).
 */

// Go's \s, which is ASCII only.
const SPACE = '\t\n\f\r ';
const NAME_START = /^[a-zA-Z_:]$/;
const NAME_CHAR = /^[a-zA-Z0-9_:]$/;

/** Parses zero or more matchers with Alertmanager's classic grammar; throws MatcherSyntaxError. */
export function parseClassicMatchers(input: string): Matcher[] {
  let s = input;
  let base = 0;
  if (s.startsWith('{')) {
    s = s.slice(1);
    base = 1;
  }
  if (s.endsWith('}')) s = s.slice(0, -1);

  const tokens: Array<{ text: string; at: number }> = [];
  let insideQuotes = false;
  let escaped = false;
  let token = '';
  let tokenAt = base;
  let column = base;
  for (const r of s) {
    if (r === ',' && !insideQuotes) {
      tokens.push({ text: token, at: tokenAt });
      token = '';
      tokenAt = column + 1;
    } else {
      if (r === '"') {
        if (!escaped) insideQuotes = !insideQuotes;
        else escaped = false;
      } else if (r === '\\') {
        escaped = !escaped;
      } else {
        escaped = false;
      }
      token += r;
    }
    column++;
  }
  if (token.trim() !== '') tokens.push({ text: token, at: tokenAt });
  return tokens.map(({ text, at }) => parseClassicMatcher(text, at));
}

function parseClassicMatcher(s: string, at: number): Matcher {
  const m = splitMatcher(s);
  if (!m) throw new MatcherSyntaxError(`bad matcher format: ${s.trim()}`, at);
  const { name, op, raw, rawAt } = m;
  if (raw === '') throw new MatcherSyntaxError(`matcher value is not present: ${s.trim()}`, at);

  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  const chars = Array.from(rawValue);
  let value = '';
  let escaped = false;
  for (let i = 0; i < chars.length; i++) {
    const r = chars[i]!;
    const last = i === chars.length - 1;
    if (escaped) {
      escaped = false;
      if (r === 'n') value += '\n';
      else if (r === '"' || r === '\\') value += r;
      else value += `\\${r}`; // a spurious escape stays a literal backslash
    } else if (r === '\\') {
      if (last) value += '\\';
      else escaped = true;
    } else if (r === '"') {
      if (!expectTrailingQuote || !last) {
        throw new MatcherSyntaxError(`matcher value contains unescaped double quote: ${raw}`, at);
      }
      expectTrailingQuote = false;
    } else {
      value += r;
    }
  }
  if (expectTrailingQuote) throw new MatcherSyntaxError(`matcher value contains unescaped double quote: ${raw}`, at);

  try {
    return newMatcher(op, name, value);
  } catch (err) {
    const valueAt = at + Array.from(s.slice(0, rawAt)).length;
    throw new MatcherSyntaxError(`${raw}: invalid regular expression: ${(err as Error).message}`, valueAt, true);
  }
}

/**
 * Alertmanager's `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$`, scanned by
 * hand: that regex, run by a backtracking engine, is quadratic in a long run of spaces.
 */
function splitMatcher(s: string): { name: string; op: MatchType; raw: string; rawAt: number } | undefined {
  let i = 0;
  const skipSpace = (): void => {
    while (i < s.length && SPACE.includes(s[i]!)) i++;
  };
  skipSpace();
  const nameAt = i;
  if (!NAME_START.test(s[i] ?? '')) return undefined;
  while (i < s.length && NAME_CHAR.test(s[i]!)) i++;
  const name = s.slice(nameAt, i);
  skipSpace();
  const op = (['=~', '!=', '!~', '='] as const).find((o) => s.startsWith(o, i));
  if (!op) return undefined;
  i += op.length;
  skipSpace();
  let end = s.length;
  while (end > i && SPACE.includes(s[end - 1]!)) end--;
  return { name, op, raw: s.slice(i, end), rawAt: i };
}
