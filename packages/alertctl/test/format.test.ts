import { ago, showAddress, span, table, truncate } from '../src/format';

describe('format helpers', () => {
  it('aligns columns and right-aligns numeric ones', () => {
    expect(table(['NAME', 'N'], [['email', '3'], ['sms', '120']])).toBe(['NAME     N', 'email    3', 'sms    120'].join('\n'));
  });

  it('writes short spans and relative times', () => {
    expect(span(950)).toBe('950ms');
    expect(span(12_400)).toBe('12s');
    expect(span(5 * 60_000 + 1)).toBe('5m');
    expect(span(3 * 3_600_000)).toBe('3h');
    expect(span(2 * 86_400_000)).toBe('2d');
    expect(ago(1000, 13_000)).toBe('12s ago');
    expect(ago(20_000, 15_000)).toBe('in 5s');
  });

  it('truncates onto one line', () => {
    expect(truncate('a\nb   c', 10)).toBe('a b c');
    expect(truncate('abcdefghijkl', 5)).toBe('abcd…');
  });

  it('masks phone numbers but not emails, and never twice', () => {
    expect(showAddress('alice@example.com')).toBe('alice@example.com');
    expect(showAddress('+8613812345678')).toBe('+86138****5678');
    expect(showAddress('+86138****5678')).toBe('+86138****5678');
  });

  it('keeps table cells on one line, control characters shown as escapes', () => {
    expect(table(['LABEL'], [['a\nb\x1b[2J']])).toBe(['LABEL', 'a\\x0ab\\x1b[2J'].join('\n'));
  });
});
