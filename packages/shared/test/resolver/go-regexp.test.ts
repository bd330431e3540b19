import { compileGoRegexp, GoRegexpError, MEMO_ENTRIES, MEMO_MAX_VALUE_LENGTH } from '../../src/resolver/go-regexp';

// [Go pattern, value, does Go's regexp.MatchString("^(?:"+pattern+")$", value) say true?]
// Checked against the real RE2 engine that compileGoRegexp runs.
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
  // Flags, at the start or anywhere (Go scopes them to the enclosing group).
  ['(?i)critical', 'CRITICAL', true],
  ['(?i)(?s)a.b', 'A\nB', true],
  ['(?is)a.b', 'A\nB', true],
  ['(?m)^a$', 'a', true],
  ['(?m)a$', 'a\nb', false], // the whole value is still anchored
  ['(?m)a$\\nb', 'a\nb', true],
  ['a(?i)b', 'aB', true],
  ['a(?i)b', 'Ab', false],
  ['(?i:a)b', 'Ab', true],
  ['(?i:a)b', 'AB', false],
  ['(?U)a+', 'aaa', true],
  ['(?i)x(?-i)y', 'Xy', true],
  ['(?i)x(?-i)y', 'XY', false],
  // \s is ASCII in Go.
  ['a\\sb', 'a b', true],
  ['a\\sb', 'a\u00a0b', false],
  ['a\\sb', 'a\vb', false],
  ['a\\Sb', 'a\u00a0b', true],
  ['[\\s]', '\t', true],
  ['[\\S]', 'x', true],
  ['[\\S]', ' ', false],
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
  ['\\Aab\\z', 'ab', true],
  ['ab\\z', 'ab', true],
  ['ab\\z\\n?', 'ab\n', false], // \z is the very end; nothing can follow it
  ['ab$\\n', 'ab\n', false], // so is $ without (?m), unlike JS's and Perl's
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
  ['[[:^alpha:]]', '1', true],
  ['[[:^alpha:]]', 'a', false],
  ['[[:word:]]+', 'a_1', true],
  // Named and capturing groups are matched like non-capturing ones.
  ['(?P<team>db|web)-(\\d)', 'db-1', true],
  ['(a)(b)', 'ab', true],
  // Case-insensitive Unicode.
  ['(?i)straße', 'STRASSE', false],
  ['(?i)σ', 'Σ', true],
];

describe('compileGoRegexp', () => {
  test.each(MATCHES)('%j on %j → %s', (pattern, value, expected) => {
    expect(compileGoRegexp(pattern).test(value)).toBe(expected);
  });

  test('remembered answers stay right, past the memo size and for values too long to remember', () => {
    const re = compileGoRegexp('prod-[0-9]+');
    const values = Array.from({ length: MEMO_ENTRIES * 2 + 5 }, (_, i) => (i % 3 === 0 ? `prod-${i}` : `dev-${i}`));
    values.push(`prod-${'1'.repeat(MEMO_MAX_VALUE_LENGTH)}`, `prod-${'1'.repeat(MEMO_MAX_VALUE_LENGTH)}x`);
    const expected = values.map((v) => /^prod-[0-9]+$/.test(v));
    // Twice over, so the second pass answers partly from memory, partly after eviction.
    for (let pass = 0; pass < 2; pass++) expect(values.map((v) => re.test(v))).toEqual(expected);
    // Another regexp's memory is its own.
    expect(compileGoRegexp('dev-[0-9]+').test('dev-1')).toBe(true);
    expect(re.test('dev-1')).toBe(false);
  });

  test('keeps the pattern as written', () => {
    expect(compileGoRegexp('a|b').source).toBe('a|b');
  });

  test('reads a lone UTF-16 surrogate as U+FFFD, as Go decodes invalid input', () => {
    expect(compileGoRegexp('x\\x{FFFD}y').test('x\ud800y')).toBe(true);
    expect(compileGoRegexp('x.y').test('x\udc00y')).toBe(true);
  });

  // Rejected: what Go rejects, in Go's words.
  const REJECTED: Array<[string, RegExp]> = [
    ['[a', /^missing closing \]: `\[a`$/],
    ['(critical', /^missing closing \): `\(critical`$/],
    ['a(?=b)', /^invalid or unsupported Perl syntax: `\(\?=` at character 2$/],
    ['a(?!b)', /invalid or unsupported Perl syntax/],
    ['(?<=a)b', /invalid or unsupported Perl syntax/],
    ['(?<n>a)', /invalid or unsupported Perl syntax/], // Go before 1.22 (Alertmanager 0.25) too
    ['(a)\\1', /^invalid escape sequence: `\\1` at character 4$/],
    ['a{1001}', /^invalid repeat count: `\{1001\}`/],
    ['a{3,2}', /invalid repeat count/],
    ['\\e', /^invalid escape sequence: `\\e`$/],
    ['\\Z', /invalid escape sequence/],
    ['\\中', /invalid escape sequence/],
    ['\\u0041', /invalid escape sequence/],
    ['x\\C', /^invalid escape sequence: `\\C`$/], // C++ RE2 takes \C (any byte), Go does not
    ['a\\', /^trailing backslash at end of expression/],
    ['[[:nope:]]', /invalid character class range: `\[:nope:\]`/],
    ['\\p{NoSuchScript}', /invalid character class range/],
    ['*a', /^missing argument to repetition operator: `\*`$/],
    ['a**', /^invalid nested repetition operator: `\*\*`/],
    ['(a', /missing closing \)/],
    ['a)', /unexpected \)/],
    ['[z-a]', /invalid character class range: `z-a`/],
    ['\\x{110000}', /invalid escape sequence/],
    ['(?#comment)', /invalid or unsupported Perl syntax/],
    ['\\Qa.b', /missing closing \)/], // \Q quotes Alertmanager's closing parenthesis too
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

  test('\\C inside \\Q…\\E is a literal, as in Go', () => {
    expect(compileGoRegexp('\\Qx\\C\\E').test('x\\C')).toBe(true);
  });

  test('the error offset counts code points into the pattern', () => {
    expect(() => compileGoRegexp('支付\\e')).toThrow(expect.objectContaining({ offset: 2 }));
  });
});
