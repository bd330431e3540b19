import { parseClassicMatchers } from '../../src/resolver/classic-parser';
import { MatcherSyntaxError } from '../../src/resolver/matcher-syntax-error';

const plain = (input: string) => parseClassicMatchers(input).map(({ type, name, value }) => [name, type, value]);

// Ported from Alertmanager pkg/labels/parse_test.go (TestMatchers).
const ACCEPTED: Array<[string, Array<[string, string, string]>]> = [
  ['{foo="bar"}', [['foo', '=', 'bar']]],
  ['{foo=~"bar.*"}', [['foo', '=~', 'bar.*']]],
  ['{foo!="bar"}', [['foo', '!=', 'bar']]],
  ['{foo!~"bar.*"}', [['foo', '!~', 'bar.*']]],
  ['{foo="bar", baz!="quux"}', [['foo', '=', 'bar'], ['baz', '!=', 'quux']]],
  ['{foo="bar",baz!~".*quux", derp="wat"}', [['foo', '=', 'bar'], ['baz', '!~', '.*quux'], ['derp', '=', 'wat']]],
  ['{foo="bar", instance=~"some-api.*"}', [['foo', '=', 'bar'], ['instance', '=~', 'some-api.*']]],
  ['{foo=""}', [['foo', '=', '']]],
  ['{foo="bar,quux", job="job1"}', [['foo', '=', 'bar,quux'], ['job', '=', 'job1']]],
  ['{foo = "bar", dings != "bums", }', [['foo', '=', 'bar'], ['dings', '!=', 'bums']]],
  ['foo=bar,dings!=bums', [['foo', '=', 'bar'], ['dings', '!=', 'bums']]],
  ['{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}', [['quote', '=', 'She said: "Hi, ladies! That\'s gender-neutral…"']]],
  ['statuscode=~"5.."', [['statuscode', '=~', '5..']]],
  ['tricky=~~~', [['tricky', '=~', '~~']]],
  ['trickier==\\\\=\\=\\"', [['trickier', '=', '=\\=\\="']]],
  ['contains_quote != "\\"" , contains_comma !~ "foo,bar" , ', [['contains_quote', '!=', '"'], ['contains_comma', '!~', 'foo,bar']]],
  // Only \n \" \\ are escapes; any other backslash stays, which is what makes "\d" work in regexes.
  ['foo=~"\\d+"', [['foo', '=~', '\\d+']]],
  ['foo="a\\tb"', [['foo', '=', 'a\\tb']]],
  ['foo="\\xf0\\x9f\\x99\\x82"', [['foo', '=', '\\xf0\\x9f\\x99\\x82']]],
  ['foo=bar\\', [['foo', '=', 'bar\\']]],
  ['team=数据库', [['team', '=', '数据库']]],
  ['', []],
];

const REJECTED: Array<[string, RegExp]> = [
  ['job=', /^matcher value is not present: job=$/],
  ['job="value', /^matcher value contains unescaped double quote: "value$/],
  ['job=value"', /^matcher value contains unescaped double quote: value"$/],
  ['trickier==\\\\=\\=\\""', /^matcher value contains unescaped double quote: /],
  ['contains_unescaped_quote = foo"bar', /^matcher value contains unescaped double quote: foo"bar$/],
  ['{invalid-name = "valid label"}', /^bad matcher format: invalid-name = "valid label"$/],
  ['{foo=~"invalid[regexp"}', /^"invalid\[regexp": invalid regular expression: missing closing \]/],
  ['"{foo=\\"bar"}', /^bad matcher format/],
  ['"foo=\\"bar"', /^bad matcher format/],
  ['"foo="bar""', /^bad matcher format/],
  ['服务="支付"', /^bad matcher format/],
  ['foo=bar,,baz=qux', /^bad matcher format/],
];

describe('parseClassicMatchers (Alertmanager pkg/labels)', () => {
  test.each(ACCEPTED)('%j', (input, expected) => {
    expect(plain(input)).toEqual(expected);
  });

  test.each(REJECTED)('rejects %j', (input, message) => {
    let caught: unknown;
    try {
      parseClassicMatchers(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MatcherSyntaxError);
    expect((caught as Error).message).toMatch(message);
  });

  test('the column points at the failing matcher of a list', () => {
    expect(() => parseClassicMatchers('{a="1", b=~"[x"}')).toThrow(expect.objectContaining({ column: 11, regexp: true }));
    expect(() => parseClassicMatchers('{a="1", 0b="x"}')).toThrow(expect.objectContaining({ column: 7, regexp: false }));
  });
});
