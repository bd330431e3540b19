import { matches, newMatcher, type MatchType } from '../../src/resolver/matcher';
import { parseMatchers } from '../../src/resolver/parse-matchers';

describe('matches', () => {
  // Ported from Alertmanager pkg/labels/matcher_test.go (TestMatcher): one label "x".
  test.each<[MatchType, string, string, boolean]>([
    ['=', 'bar', 'bar', true],
    ['=', 'bar', 'foo-bar', false],
    ['!=', 'bar', 'bar', false],
    ['!=', 'bar', 'foo-bar', true],
    ['=~', 'bar', 'bar', true],
    ['=~', 'bar', 'foo-bar', false],
    ['=~', '.*bar', 'foo-bar', true],
    ['!~', 'bar', 'bar', false],
    ['!~', 'bar', 'foo-bar', true],
    ['!~', '.*bar', 'foo-bar', false],
    ['=~', 'foo.bar', 'foo-bar', true],
    ['=~', 'foo\\.bar', 'foo-bar', false],
    ['=~', 'foo\\.bar', 'foo.bar', true],
    ['=', 'foo\nbar', 'foo\nbar', true],
    ['=~', 'foo.bar', 'foo\nbar', false],
    ['=~', '(?s)foo.bar', 'foo\nbar', true],
    ['=', '~!="', '~!="', true],
  ])('x%s%j on x=%j → %s', (type, value, label, expected) => {
    expect(matches([newMatcher(type, 'x', value)], { x: label })).toBe(expected);
  });

  // A missing label is the empty string, exactly as in Alertmanager.
  test.each<[string, Record<string, string>, boolean]>([
    ['foo=""', {}, true],
    ['foo=""', { foo: 'x' }, false],
    ['foo!=""', {}, false],
    ['foo!=""', { foo: 'x' }, true],
    ['foo=~".*"', {}, true],
    ['foo=~".+"', {}, false],
    ['foo!~".+"', {}, true],
    ['foo=~""', {}, true],
    ['foo!="bar"', {}, true],
    ['foo="bar"', {}, false],
    ['foo=~"bar|"', {}, true],
    ['constructor=""', {}, true], // not Object.prototype.constructor
    ['toString!=""', {}, false],
    ['', { anything: 'x' }, true], // no matchers: everything matches
    ['team="db", severity=~"critical|error"', { team: 'db', severity: 'error' }, true],
    ['team="db", severity=~"critical|error"', { team: 'db', severity: 'warning' }, false],
    ['"service.name"="支付", 团队=~"数据.*"', { 'service.name': '支付', 团队: '数据库' }, true],
    ['"service.name"="支付"', { 'service.name': '支付服务' }, false],
    ['owner=~"张.*"', { owner: '张三' }, true],
    ['env=~"prod-(bj|sh)"', { env: 'prod-bj' }, true],
    ['env=~"prod-(bj|sh)"', { env: 'prod-bj2' }, false],
  ])('%s on %j → %s', (input, labels, expected) => {
    expect(matches(parseMatchers(input), labels)).toBe(expected);
  });
});
