import { parseDuration } from '../src/parse-duration';

describe('parseDuration', () => {
  it('reads units, compound durations and bare seconds', () => {
    expect(parseDuration('500ms', '--x')).toBe(500);
    expect(parseDuration('5s', '--x')).toBe(5000);
    expect(parseDuration('2m', '--x')).toBe(120_000);
    expect(parseDuration('1h', '--x')).toBe(3_600_000);
    expect(parseDuration('1m30s', '--x')).toBe(90_000);
    expect(parseDuration('1.5s', '--x')).toBe(1500);
    expect(parseDuration('7', '--x')).toBe(7000);
    expect(parseDuration('0', '--x')).toBe(0);
  });

  it('refuses anything else as a usage error naming the option', () => {
    for (const bad of ['', 'soon', '5 s', '5d', '-5s', '5s junk']) {
      expect(() => parseDuration(bad, '--resolve-after')).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('--resolve-after') }));
    }
  });
});
