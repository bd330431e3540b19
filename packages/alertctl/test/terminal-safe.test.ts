import { terminalSafe } from '../src/terminal-safe';

describe('terminalSafe', () => {
  it('shows terminal controls as escapes instead of passing them on', () => {
    expect(terminalSafe('\x1b]0;owned\x07')).toBe('\\x1b]0;owned\\x07');
    expect(terminalSafe('\x1b[2J')).toBe('\\x1b[2J');
    expect(terminalSafe('\x1b]52;c;ZWNobyBvd25lZA==\x07')).toBe('\\x1b]52;c;ZWNobyBvd25lZA==\\x07');
    expect(terminalSafe('\x9b2J')).toBe('\\x9b2J');
    expect(terminalSafe('a\x00b\x7fc\x85d\re')).toBe('a\\x00b\\x7fc\\x85d\\x0de');
    expect(terminalSafe('evil\u202etxt.exe \u2066x\u2069')).toBe('evil\\u202etxt.exe \\u2066x\\u2069');
  });

  it('keeps newline and tab as layout unless the text must stay on one line', () => {
    expect(terminalSafe('a\tb\nc')).toBe('a\tb\nc');
    expect(terminalSafe('a\tb\nc', { oneLine: true })).toBe('a\\x09b\\x0ac');
  });

  it('leaves printable text alone, other scripts and emoji included', () => {
    const text = 'DiskFull 97% 磁盘已满 Ünïcödé 🔥 "quoted" \\x1b literal';
    expect(terminalSafe(text)).toBe(text);
  });
});
