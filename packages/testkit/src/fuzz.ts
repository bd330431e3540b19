import fc from 'fast-check';
import { HOSTILE_LENGTHS, HOSTILE_STRINGS } from './hostile-strings';

/** The seed CI runs with, so a failure reproduces; FUZZ_SEED overrides it. */
export const DEFAULT_FUZZ_SEED = 20261130;

/** The seed for this run: FUZZ_SEED when set (an integer), else DEFAULT_FUZZ_SEED. */
export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return DEFAULT_FUZZ_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(raw)}`);
  return seed;
}

/** Counts a fuzz run's outcomes and prints the one summary line each fuzz test ends with. */
export class FuzzTally {
  private readonly started = Date.now();
  private readonly counts = new Map<string, number>();
  cases = 0;

  constructor(
    private readonly name: string,
    private readonly seed: number,
  ) {}

  /** Counts one case under an outcome (an HTTP status, "config", "CONFIG_INVALID"…). */
  add(outcome: string | number): void {
    this.cases++;
    this.counts.set(String(outcome), (this.counts.get(String(outcome)) ?? 0) + 1);
  }

  /** How many cases ended with this outcome. */
  count(outcome: string | number): number {
    return this.counts.get(String(outcome)) ?? 0;
  }

  /** `fuzz <name>: seed=… cases=… {outcome: n…} in …s`, printed and returned. */
  summary(extra = ''): string {
    const by = [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
    const line = `fuzz ${this.name}: seed=${this.seed} cases=${this.cases} ${by.join(' ')}${extra ? ` ${extra}` : ''} in ${((Date.now() - this.started) / 1000).toFixed(1)}s`;
    // One plain line on stderr, which jest passes through even when it buffers console output.
    process.stderr.write(`${line}\n`);
    return line;
  }
}

/** One of the hostile values, possibly wrapped in ordinary text or repeated. */
export function hostileString(opts: { maxLength?: number } = {}): fc.Arbitrary<string> {
  const lengths = HOSTILE_LENGTHS.filter((n) => n <= (opts.maxLength ?? Infinity));
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 6 })).map(([h, s]) => `${s}${h}${s}`) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
    ...(lengths.length
      ? [{ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...lengths), fc.constantFrom('a', '😀', '\u0000', '{', '\ud800')).map(([n, c]) => c.repeat(Math.ceil(n / c.length))) }]
      : []),
  );
}
