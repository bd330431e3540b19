import { estimateRegexpCost } from '../../src/resolver/regexp-cost';

describe('estimateRegexpCost', () => {
  // [pattern, cost]: literals 1, `.` and wide classes 16, Unicode properties 600; a group adds 1;
  // {n,m} copies what precedes it m times ({n,} n+1 times).
  test.each<[string, number]>([
    ['abc', 3],
    ['a|b', 3],
    ['.', 16],
    ['\\S', 16],
    ['[a-z0-9_]', 1],
    ['[^,]', 16],
    ['[é]', 16],
    ['[[:alpha:]]', 1],
    ['[[:^alpha:]]', 16],
    ['\\pL', 600],
    ['\\p{Greek}', 600],
    ['[^\\pL]', 600],
    ['\\pL{3}', 1800],
    ['a{2,}', 3],
    ['a{1,5}', 5],
    ['(ab){3}', 9],
    ['((a){2}){3}', 15],
    ['(?i)ab', 2],
    ['(?P<n>a)', 2],
    ['\\Qa.b\\E', 3],
    ['x{', 2],
    ['\\x{1F642}', 1],
    ['\\x41{2}', 2],
  ])('%j costs %d', (pattern, cost) => {
    expect(estimateRegexpCost(pattern)).toBe(cost);
  });

  test('nested repeats multiply', () => {
    expect(estimateRegexpCost('(((a{1000}){1000}){1000})')).toBeGreaterThan(1e9);
  });
});
