import { GatewayError } from '../../src/errors';
import { parseMatcher, parseMatchers } from '../../src/resolver/parse-matchers';

const plain = (input: string) => parseMatchers(input).map(({ type, name, value }) => [name, type, value]);

describe('parseMatchers (Alertmanager fallback mode)', () => {
  // Ported from Alertmanager matcher/compat/parse_test.go, plus the cases a route file meets.
  test.each<[string, string, Array<[string, string, string]>]>([
    ['accepted by both', '{foo=bar,bar=baz}', [['foo', '=', 'bar'], ['bar', '=', 'baz']]],
    ['only the UTF-8 parser accepts it', '{foo🙂=bar,bar=baz🙂}', [['foo🙂', '=', 'bar'], ['bar', '=', 'baz🙂']]],
    ['only the classic parser accepts it', '{foo=!bar,bar=$baz\\n}', [['foo', '=', '!bar'], ['bar', '=', '$baz\n']]],
    ['disagreement: classic wins', '{foo="\\xf0\\x9f\\x99\\x82"}', [['foo', '=', '\\xf0\\x9f\\x99\\x82']]],
    ['regex backslashes survive (classic)', 'instance=~"db-\\d+\\.prod"', [['instance', '=~', 'db-\\d+\\.prod']]],
    ['quoted UTF-8 name (UTF-8 parser)', '"service.name"="支付"', [['service.name', '=', '支付']]],
    ['Chinese name, unquoted (UTF-8 parser)', '团队=数据库', [['团队', '=', '数据库']]],
    ['quoted name with Go escape', '{"a\\u00e9"="x"}', [['aé', '=', 'x']]],
    ['brace form with several matchers', '{team="db", severity=~"critical|error"}', [['team', '=', 'db'], ['severity', '=~', 'critical|error']]],
  ])('%s: %j', (_name, input, expected) => {
    expect(plain(input)).toEqual(expected);
  });

  test.each<[string, RegExp]>([
    ['foo!bar', /^invalid matcher "foo!bar": column 4: !b: expected one of '=~'/],
    ['{foo="bar', /column 6: "bar: missing end "/],
    ['severity=~"(critical"', /column 11: "\(critical": invalid regular expression/],
    // The classic parser reached the regex: its complaint wins over the UTF-8 parser's "\d".
    ['foo=~"\\d+["', /column 6: "\\d\+\[": invalid regular expression: missing closing \]/],
    ['服务="支付', /column 4: "支付: missing end "/],
    ['foo=~"a(?=b)"', /column 6: "a\(\?=b\)": invalid regular expression: invalid or unsupported Perl syntax: `\(\?=` at character 2$/],
  ])('rejects %j with the column', (input, message) => {
    let caught: unknown;
    try {
      parseMatchers(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).code).toBe('CONFIG_INVALID');
    expect((caught as GatewayError).message).toMatch(message);
    expect((caught as GatewayError).details).toMatchObject({ input, column: expect.any(Number) });
  });
});

describe('parseMatcher', () => {
  test('returns the single matcher, with its regex compiled', () => {
    const m = parseMatcher('severity=~"critical|error"');
    expect(m).toMatchObject({ type: '=~', name: 'severity', value: 'critical|error' });
    expect(m.regexp?.test('error')).toBe(true);
  });

  test.each([
    ['', /found no matcher/],
    ['{}', /found no matcher/],
    ['a=b,c=d', /found 2 matchers/],
    ['a=', /expected label value/],
  ])('rejects %j', (input, message) => {
    expect(() => parseMatcher(input)).toThrow(GatewayError);
    expect(() => parseMatcher(input)).toThrow(message);
  });
});
