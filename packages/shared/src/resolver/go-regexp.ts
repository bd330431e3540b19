import { Re2CompileError, re2Engine } from './re2-engine';
import { rememberAnswers } from '../remember-answers';
import { estimateRegexpCost } from './regexp-cost';

/**
 * Most that compiling one regexp may cost (see regexp-cost.ts): ~250 ms of re2-wasm on a busy
 * machine. Allows e.g. `.{1,255}` or `\pL{8}`; refuses `\pL{100}`, which takes seconds and can fill
 * re2-wasm's heap, and would let anyone with a viewer token stall the process through `matcher=`.
 */
export const MAX_REGEXP_COST = 5000;

/**
 * Answers remembered per compiled regexp, and the longest value remembered. Label values repeat
 * from one delivery to the next (severity, cluster, team), and a call into re2-wasm costs
 * microseconds (the string is copied into its heap) where a Map lookup costs nanoseconds. Bounded
 * (~32 KB per regexp at most) so hostile values cannot grow it; when full the oldest answer goes.
 */
export const MEMO_ENTRIES = 128;
export const MEMO_MAX_VALUE_LENGTH = 128;

/** A compiled `=~` / `!~` value: matches a whole label value, as Alertmanager's matchers do. */
export interface GoRegexp {
  /** The pattern as written in the matcher. */
  readonly source: string;
  /** Whether the whole value matches; linear time in the value's length whatever the pattern. */
  test(value: string): boolean;
}

/** A pattern that Go's regexp package (and so Alertmanager) would reject; `offset` is in code points, -1 if unknown. */
export class GoRegexpError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'GoRegexpError';
  }
}

// RE2's error texts that Go words differently, keyed by RE2's (re2/regexp.cc CodeText).
const GO_WORDING: Record<string, string> = {
  'missing ]': 'missing closing ]',
  'missing )': 'missing closing )',
  'trailing \\': 'trailing backslash at end of expression',
  'no argument for repetition operator': 'missing argument to repetition operator',
  'invalid repetition size': 'invalid repeat count',
  'bad repetition operator': 'invalid nested repetition operator',
  'invalid perl operator': 'invalid or unsupported Perl syntax',
  'invalid named capture group': 'invalid named capture',
  'pattern too large - compile failed': 'expression too large',
};

/**
 * Compiles a Go (RE2) regular expression the way Alertmanager does, `^(?:pattern)$`, with the
 * real RE2 engine (re2-wasm): same syntax, same meaning, and matching time linear in the input,
 * so no pattern and no label value can stall the process. Throws GoRegexpError with Go's wording.
 */
export function compileGoRegexp(pattern: string): GoRegexp {
  const source = `^(?:${pattern})$`;
  // RE2 in C++ takes \C (any byte); Go rejects it.
  const anyByte = findAnyByteEscape(pattern);
  if (anyByte >= 0) throw new GoRegexpError('invalid escape sequence: `\\C`', anyByte);
  const cost = estimateRegexpCost(pattern);
  if (cost > MAX_REGEXP_COST) {
    const why = 'a Unicode class such as \\pL counts 600, `.` or [^…] 16, a literal 1, and {n} multiplies';
    throw new GoRegexpError(`expression too large for this gateway: cost ${cost} > ${MAX_REGEXP_COST} (${why})`, -1);
  }
  try {
    re2Engine.compile(source);
  } catch (err) {
    if (!(err instanceof Re2CompileError)) throw err;
    throw explain(pattern, err);
  }
  return {
    source: pattern,
    // Matching is a pure function of pattern and value.
    test: rememberAnswers((value) => re2Engine.test(source, value), { entries: MEMO_ENTRIES, maxLength: MEMO_MAX_VALUE_LENGTH }),
  };
}

// The error of the pattern on its own quotes the user's text, not our anchors; only when the
// pattern is fine alone but not inside them (`\Qa` quotes the closing parenthesis) is the
// anchored error the one to show.
function explain(pattern: string, anchoredErr: Re2CompileError): GoRegexpError {
  let message = anchoredErr.message;
  try {
    // Too large anchored is too large alone: not worth a second compile.
    if (!message.startsWith('pattern too large')) re2Engine.compile(pattern);
  } catch (err) {
    if (err instanceof Re2CompileError) message = err.message;
  }
  const colon = message.indexOf(': ');
  const code = colon < 0 ? message : message.slice(0, colon);
  const arg = colon < 0 ? '' : message.slice(colon + 2);
  const wording = GO_WORDING[code] ?? code;
  const at = arg === '' ? -1 : pattern.indexOf(arg);
  const offset = at < 0 ? -1 : Array.from(pattern.slice(0, at)).length;
  const where = offset > 0 ? ` at character ${offset + 1}` : '';
  return new GoRegexpError(arg === '' ? wording : `${wording}: \`${arg}\`${where}`, offset);
}

// Index (code points) of a `\C` escape outside \Q…\E, or -1. Like Go, \Q quotes up to the
// first \E (or the end), whatever backslashes come before it.
function findAnyByteEscape(pattern: string): number {
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== '\\') continue;
    const next = chars[i + 1];
    if (next === 'C') return i;
    if (next === 'Q') {
      i += 2;
      while (i < chars.length && !(chars[i] === '\\' && chars[i + 1] === 'E')) i++;
    }
    i++;
  }
  return -1;
}
