import { parseUtf8Matchers } from '../../src/resolver/utf8-parser';
import { MatcherSyntaxError } from '../../src/resolver/matcher-syntax-error';

const plain = (input: string) => parseUtf8Matchers(input).map(({ type, name, value }) => [name, type, value]);

// Ported from Alertmanager matcher/parse/parse_test.go (TestMatchers).
const ACCEPTED: Array<[string, string, Array<[string, string, string]>]> = [
  ['no braces', '', []],
  ['open and closing braces', '{}', []],
  ['equals', '{foo=bar}', [['foo', '=', 'bar']]],
  ['equals with trailing comma', '{foo=bar,}', [['foo', '=', 'bar']]],
  ['not equals', '{foo!=bar}', [['foo', '!=', 'bar']]],
  ['match regex', '{foo=~[a-z]+}', [['foo', '=~', '[a-z]+']]],
  ["doesn't match regex", '{foo!~[a-z]+}', [['foo', '!~', '[a-z]+']]],
  ['equals unicode emoji', '{foo=🙂}', [['foo', '=', '🙂']]],
  ['equals unicode sentence', '{foo=🙂bar}', [['foo', '=', '🙂bar']]],
  ['equals without braces', 'foo=bar', [['foo', '=', 'bar']]],
  ['equals without braces but with trailing comma', 'foo=bar,', [['foo', '=', 'bar']]],
  ['not equals without braces', 'foo!=bar', [['foo', '!=', 'bar']]],
  ['match regex without braces', 'foo=~[a-z]+', [['foo', '=~', '[a-z]+']]],
  ["doesn't match regex without braces", 'foo!~[a-z]+', [['foo', '!~', '[a-z]+']]],
  ['equals in quotes', '{"foo"="bar"}', [['foo', '=', 'bar']]],
  ['equals in quotes and with trailing comma', '{"foo"="bar",}', [['foo', '=', 'bar']]],
  ['not equals in quotes', '{"foo"!="bar"}', [['foo', '!=', 'bar']]],
  ['match regex in quotes', '{"foo"=~"[a-z]+"}', [['foo', '=~', '[a-z]+']]],
  ["doesn't match regex in quotes", '{"foo"!~"[a-z]+"}', [['foo', '!~', '[a-z]+']]],
  ['equals unicode emoji in quotes', '{"foo"="🙂"}', [['foo', '=', '🙂']]],
  ['equals unicode emoji as bytes in quotes', '{"foo"="\\xf0\\x9f\\x99\\x82"}', [['foo', '=', '🙂']]],
  ['equals unicode emoji as code points in quotes', '{"foo"="\\U0001f642"}', [['foo', '=', '🙂']]],
  ['equals unicode sentence in quotes', '{"foo"="🙂bar"}', [['foo', '=', '🙂bar']]],
  ['equals with newline in quotes', '{"foo"="bar\\n"}', [['foo', '=', 'bar\n']]],
  ['equals with tab in quotes', '{"foo"="bar\\t"}', [['foo', '=', 'bar\t']]],
  ['equals with escaped quotes in quotes', '{"foo"="\\"bar\\""}', [['foo', '=', '"bar"']]],
  ['equals with escaped backslash in quotes', '{"foo"="bar\\\\"}', [['foo', '=', 'bar\\']]],
  ['equals without braces in quotes', '"foo"="bar"', [['foo', '=', 'bar']]],
  ['equals without braces in quotes with trailing comma', '"foo"="bar",', [['foo', '=', 'bar']]],
  ['complex', '{foo=bar,bar!=baz}', [['foo', '=', 'bar'], ['bar', '!=', 'baz']]],
  ['complex in quotes', '{foo="bar",bar!="baz"}', [['foo', '=', 'bar'], ['bar', '!=', 'baz']]],
  ['complex without braces', 'foo=bar,bar!=baz', [['foo', '=', 'bar'], ['bar', '!=', 'baz']]],
  ['complex without braces in quotes', 'foo="bar",bar!="baz"', [['foo', '=', 'bar'], ['bar', '!=', 'baz']]],
  // Beyond the upstream table: UTF-8 names, Chinese values, spaces, octal and \u escapes.
  ['dotted UTF-8 name', 'service.name="支付"', [['service.name', '=', '支付']]],
  ['quoted name with spaces', '"foo bar"=baz', [['foo bar', '=', 'baz']]],
  ['Chinese name and value', '服务=支付, 团队!~"运维|数据库"', [['服务', '=', '支付'], ['团队', '!~', '运维|数据库']]],
  ['whitespace everywhere', ' { foo = "bar" , baz != qux } ', [['foo', '=', 'bar'], ['baz', '!=', 'qux']]],
  ['octal and \\u escapes', 'foo="\\101\\u00e9"', [['foo', '=', 'Aé']]],
  ['empty quoted value', 'foo=""', [['foo', '=', '']]],
];

// [name, input, error message (AM's wording), 0-based column]
const REJECTED: Array<[string, string, string, number]> = [
  ['comma', ',', 'unexpected ,: expected label name', 0],
  ['comma in braces', '{,}', 'unexpected ,: expected label name', 1],
  ['open brace', '{', 'end of input: expected close brace', 1],
  ['close brace', '}', '}: expected opening brace', 0],
  ['no open brace', 'foo=bar}', '}: expected opening brace', 7],
  ['no close brace', '{foo=bar', 'end of input: expected close brace', 8],
  ['invalid input after operator and before quotes', '{foo=:"bar"}', 'unexpected "bar": expected a comma or close brace', 6],
  ['invalid escape sequence', '{foo="bar\\w"}', '"bar\\w": invalid label value (invalid escape \\w)', 5],
  ['no unquoted escape sequences', '{foo=bar\\n}', '\\: invalid input: expected a comma or close brace', 8],
  ['invalid unicode', '{"foo"="\\xf0\\x9f"}', '"\\xf0\\x9f": invalid label value (escapes do not form valid UTF-8)', 7],
  ['two values', 'foo=bar baz', 'unexpected baz: expected a comma or close brace', 8],
  ['missing value', 'foo=', 'end of input: expected label value', 4],
  ['missing operator', 'foo', "end of input: expected an operator such as '=', '!=', '=~' or '!~'", 3],
  ['bang without = or ~', 'foo!bar', "!b: expected one of '=~' after '!': expected an operator such as '=', '!=', '=~' or '!~'", 3],
  ['unterminated quote', 'foo="bar', '"bar: missing end ": expected label value', 4],
  ['raw newline in quotes', 'foo="a\nb"', '"a\nb": invalid label value (raw newline inside quotes (write \\n))', 4],
  ['empty name', '""=x', 'label name must not be empty', 0],
  ['bad regex', 'foo=~"[a"', '"[a": invalid regular expression: missing closing ]: `[a`', 5],
  ['text after close brace', '{foo=bar} x', 'unexpected x: expected end of input', 10],
  ['columns count code points', '{支付="x"\\}', '\\: invalid input: expected a comma or close brace', 7],
];

describe('parseUtf8Matchers (Alertmanager matcher/parse)', () => {
  test.each(ACCEPTED)('%s: %j', (_name, input, expected) => {
    expect(plain(input)).toEqual(expected);
  });

  test.each(REJECTED)('%s: %j', (_name, input, message, column) => {
    let caught: unknown;
    try {
      parseUtf8Matchers(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MatcherSyntaxError);
    expect((caught as MatcherSyntaxError).message).toBe(message);
    expect((caught as MatcherSyntaxError).column).toBe(column);
  });
});
