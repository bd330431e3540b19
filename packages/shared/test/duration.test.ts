import { durationProblem, parseDurationMs } from '../src/duration';

describe('parseDurationMs', () => {
  test.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['90m', 5_400_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['3d', 259_200_000],
    ['1w', 604_800_000],
    ['1h1ms', 3_600_001],
    ['0s', 0],
    // Go's time.ParseDuration accepts a bare zero; nothing else goes without a unit.
    ['0', 0],
    [' 12h ', 43_200_000],
  ])('%j is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  test.each(['', ' ', '2', '30', '1.5', 'forever', '2 h', '-1h', '+1h', '1h 30m', '1h30', 'h', '1.h', '.5h', '1e3s', '5y', '1H', '1hh', '1msx', '5s junk', 'constructor', '１h'])(
    'refuses %j',
    (text) => expect(parseDurationMs(text)).toBeUndefined(),
  );

  it('refuses text past 64 characters instead of summing it', () => {
    expect(parseDurationMs('1s'.repeat(32))).toBe(32_000);
    expect(parseDurationMs('1s'.repeat(33))).toBeUndefined();
  });
});

describe('durationProblem', () => {
  it('names the option, the units and the examples, and echoes the text quoted', () => {
    expect(durationProblem('--timeout', 'soon')).toBe('--timeout must be a duration with a unit (ms, s, m, h, d, w) like 30s, 5m or 1h30m, got "soon"');
    expect(durationProblem('--ttl', 'x', '30m or 12h')).toMatch(/like 30m or 12h, got "x"$/);
  });

  it('tells a bare number which unit to add', () => {
    expect(durationProblem('--resolve-after', ' 7 ')).toMatch(/got "7"; for 7 seconds write 7s$/);
    expect(durationProblem('--resolve-after', '1.5')).toMatch(/for 1.5 seconds write 1.5s$/);
    expect(durationProblem('--resolve-after', '1h5')).not.toMatch(/seconds/);
  });

  it('escapes and shortens what it echoes', () => {
    const message = durationProblem('silence', `\u001b[31m${'9'.repeat(500)}`);
    expect(message).not.toContain('\u001b');
    expect(message.length).toBeLessThan(200);
  });
});
