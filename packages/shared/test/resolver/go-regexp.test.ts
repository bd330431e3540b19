import { compileGoRegexp, GoRegexpError } from '../../src/resolver/go-regexp';

// [Go pattern, value, does Go's regexp.MatchString("^(?:"+pattern+")$", value) say true?]
const MATCHES: Array<[string, string, boolean]> = [
  // Anchoring: Alertmanager matches the whole value, never a substring.
  ['bar', 'bar', true],
  ['bar', 'foo-bar', false],
  ['.*bar', 'foo-bar', true],
  ['a|b', 'ab', false],
  ['a|b', 'b', true],
  ['', '', true],
  ['.*', '', true],
  ['.+', '', false],
  // Dot: Go excludes only \n; JS would also exclude \r, U+2028, U+2029.
  ['foo.bar', 'foo-bar', true],
  ['foo.bar', 'foo\nbar', false],
  ['foo.bar', 'foo\rbar', true],
  ['foo.bar', 'foo\u2028bar', true],
  ['(?s)foo.bar', 'foo\nbar', true],
  ['foo\\.bar', 'foo-bar', false],
  ['foo\\.bar', 'foo.bar', true],
  // Leading flags.
  ['(?i)critical', 'CRITICAL', true],
  ['(?i)(?s)a.b', 'A\nB', true],
  ['(?is)a.b', 'A\nB', true],
  ['(?m)^a$', 'a', true],
  ['(?m)a$', 'a\nb', false], // the whole value is still anchored
  ['(?m)a$\\nb', 'a\nb', true],
  // \s is ASCII in Go.
  ['a\\sb', 'a b', true],
  ['a\\sb', 'a\u00a0b', false],
  ['a\\sb', 'a\vb', false],
  ['a\\Sb', 'a\u00a0b', true],
  ['[\\s]', '\t', true],
  // Escaped punctuation is a literal in Go (an error in JS with the u flag).
  ['a\\-b', 'a-b', true],
  ['a\\@b\\:c\\ d\\#e\\_f', 'a@b:c d#e_f', true],
  ['[\\-a]+', '-a-', true],
  ['a\\/b', 'a/b', true],
  // Braces and brackets that are not syntax are literals in Go.
  ['x{,3}', 'x{,3}', true],
  ['a{2}', 'aa', true],
  ['a{2,}', 'aaaa', true],
  ['a{1,2}', 'aaa', false],
  ['a}', 'a}', true],
  ['a]', 'a]', true],
  ['{', '{', true],
  ['[]a]+', ']a]', true],
  ['[^]a]', 'b', true],
  ['[^]a]', ']', false],
  ['[a[]+', 'a[', true],
  // Escapes.
  ['\\x41\\x{1F642}', 'A🙂', true],
  ['\\101', 'A', true],
  ['\\0', '\0', true],
  ['\\a', '\x07', true],
  ['\\Qa.b*\\E', 'a.b*', true],
  ['\\Qa.b*\\E', 'axbb', false],
  ['\\Qa.b', 'a.b', true],
  ['\\Aab\\z', 'ab', true],
  ['\\d+', '123', true],
  ['\\d+', '١٢٣', false], // Go's \d is ASCII
  ['\\w+', 'abc_9', true],
  ['\\bfoo\\b.*', 'foo bar', true],
  // Unicode classes and code points.
  ['\\pL+', '数据库', true],
  ['\\p{Han}+', '数据库', true],
  ['\\p{Greek}', 'α', true],
  ['\\p{^Greek}', 'α', false],
  ['\\PL', '1', true],
  ['\\p{Lu}', 'a', false],
  ['支付.*', '支付服务', true],
  ['[支付]{2}', '付支', true],
  ['.', '🙂', true], // one code point, not two UTF-16 units
  ['..', '🙂', false],
  // POSIX classes.
  ['[[:alpha:]]+', 'abcXYZ', true],
  ['[[:digit:][:upper:]]+', '9Z', true],
  ['[[:alpha:]]', '1', false],
  ['[[:punct:]]+', '!/@[`{~', true],
  // Named and capturing groups are matched like non-capturing ones.
  ['(?P<team>db|web)-(?<n>\\d)', 'db-1', true],
  ['(a)(b)', 'ab', true],
  // Case-insensitive Unicode.
  ['(?i)straße', 'STRASSE', false],
  ['(?i)σ', 'Σ', true],
];

describe('compileGoRegexp', () => {
  test.each(MATCHES)('%j on %j → %s', (pattern, value, expected) => {
    expect(compileGoRegexp(pattern).test(value)).toBe(expected);
  });

  test('uses the u flag so code points, not UTF-16 units, are matched', () => {
    expect(compileGoRegexp('a').flags).toContain('u');
    expect(compileGoRegexp('(?i)a').flags).toBe('iu');
  });

  // Rejected: what Go rejects, and what Node 20 cannot express the Go way.
  const REJECTED: Array<[string, RegExp]> = [
    ['[a', /missing closing \]/],
    ['a(?=b)', /lookaround/],
    ['a(?!b)', /lookaround/],
    ['(?<=a)b', /lookaround/],
    ['(a)\\1', /backreference/],
    ['a(?i)b', /only supported at the very start/],
    ['(?i:a)', /only supported at the very start/],
    ['(?U)a+', /ungreedy/],
    ['a{1001}', /above 1000/],
    ['a{3,2}', /invalid repeat count/],
    ['\\e', /invalid escape/],
    ['\\Z', /invalid escape/],
    ['\\中', /invalid escape/],
    ['a\\', /trailing backslash/],
    ['[\\S]', /\\S inside a bracket class/],
    ['[[:^alpha:]]', /negated POSIX/],
    ['[[:nope:]]', /unknown POSIX/],
    ['\\p{NoSuchScript}', /./],
    ['*a', /./],
    ['a**', /./],
    ['(a', /./],
    ['a)', /./],
    ['[z-a]', /./],
    ['\\x{110000}', /beyond Unicode/],
    ['(?#comment)', /unsupported group/],
  ];
  test.each(REJECTED)('rejects %j', (pattern, message) => {
    let caught: unknown;
    try {
      compileGoRegexp(pattern);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GoRegexpError);
    expect((caught as Error).message).toMatch(message);
  });

  test('a JS compile error does not echo the translated source', () => {
    expect(() => compileGoRegexp('*a')).toThrow(/^Nothing to repeat$/);
  });
});
