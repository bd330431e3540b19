import { codePointLength, cutToLength } from '../src/cut-text';

describe('cutToLength', () => {
  it('leaves text within the limit alone', () => {
    expect(cutToLength('DiskFull', 8)).toBe('DiskFull');
    expect(cutToLength('磁盘已满', 4)).toBe('磁盘已满');
  });

  it('cuts to the limit with an ellipsis, counting code points', () => {
    expect(cutToLength('HighMemoryUsage', 8)).toBe('HighMem…');
    expect(cutToLength('数据库磁盘使用率过高', 6)).toBe('数据库磁盘…');
    expect(codePointLength(cutToLength('数据库磁盘使用率过高', 6))).toBe(6);
  });

  it('never splits a surrogate pair or a grapheme (emoji with modifier, flag, combining accent)', () => {
    // 🔥 is 1 code point but 2 UTF-16 units; a naive slice would leave half of it.
    expect(cutToLength('🔥🔥🔥🔥', 3)).toBe('🔥🔥…');
    // 👍🏽 is 2 code points in one grapheme: it fits whole or not at all.
    expect(cutToLength('a👍🏽bcdef', 3)).toBe('a…');
    expect(cutToLength('a👍🏽bcdef', 4)).toBe('a👍🏽…');
    // e + combining acute accent.
    expect(cutToLength('cafe\u0301-au-lait', 5)).toBe('caf…');
    expect(cutToLength('🇨🇳中国告警', 4)).toBe('🇨🇳中…');
  });

  it('drops trailing spaces before the ellipsis and handles tiny limits', () => {
    expect(cutToLength('disk on db-3', 9)).toBe('disk on…');
    expect(cutToLength('abc', 1)).toBe('…');
    expect(cutToLength('abc', 0)).toBe('');
  });
});
