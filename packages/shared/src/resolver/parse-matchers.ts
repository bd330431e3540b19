import { GatewayError } from '../errors';
import { parseClassicMatchers } from './classic-parser';
import type { Matcher } from './matcher';
import { MatcherSyntaxError } from './matcher-syntax-error';
import { parseUtf8Matchers } from './utf8-parser';

/**
 * Parses Alertmanager matchers (`team="db", severity=~"critical|error"`, `{a="b"}`,
 * `"service.name"="支付"`) the way Alertmanager's default "fallback" mode does: the classic
 * parser's reading wins when it accepts the input (so `foo=~"\d+"` keeps its backslash, as
 * in every Alertmanager), otherwise the UTF-8 parser's (quoted and non-ASCII label names, Go
 * escapes). Throws GatewayError('CONFIG_INVALID') naming the column when neither accepts it.
 */
export function parseMatchers(input: string): Matcher[] {
  try {
    return parseClassicMatchers(input);
  } catch (classicErr) {
    try {
      return parseUtf8Matchers(input);
    } catch (utf8Err) {
      throw toConfigError(input, pickError(classicErr, utf8Err));
    }
  }
}

/** Parses exactly one matcher (`severity="critical"`); throws GatewayError('CONFIG_INVALID') otherwise. */
export function parseMatcher(input: string): Matcher {
  const matchers = parseMatchers(input);
  if (matchers.length === 1) return matchers[0]!;
  const found = matchers.length === 0 ? 'no matcher' : `${matchers.length} matchers`;
  throw new GatewayError('CONFIG_INVALID', `invalid matcher ${JSON.stringify(input)}: expected exactly 1 matcher, found ${found}`, {
    details: { input },
  });
}

// When the classic parser got as far as compiling the regex, its complaint is the real one
// (the UTF-8 parser would only object to `\d`); otherwise the UTF-8 error has a precise column.
function pickError(classicErr: unknown, utf8Err: unknown): unknown {
  if (classicErr instanceof MatcherSyntaxError && classicErr.regexp) return classicErr;
  return utf8Err;
}

function toConfigError(input: string, err: unknown): GatewayError {
  if (!(err instanceof MatcherSyntaxError)) {
    return new GatewayError('CONFIG_INVALID', `invalid matcher ${JSON.stringify(input)}: ${String(err)}`, { cause: err });
  }
  return new GatewayError(
    'CONFIG_INVALID',
    `invalid matcher ${JSON.stringify(input)}: column ${err.column + 1}: ${err.message}`,
    { details: { input, column: err.column + 1 } },
  );
}
