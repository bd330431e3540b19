import { GatewayError, matches, type LabelSet, type MatchType } from '@alertgw/shared';
// The worker builds matchers with this constructor; the test compares against the same one.
import { newMatcher } from '../../../shared/src/resolver/matcher';
import { createMatchPool, type MatchPool } from '../../src/matching/match-pool';
import { abLabel } from '@alertgw/testkit';

// Passes the compile-cost check, yet takes RE2 ~14 s on one 16k a/b value.
const COSTLY = [{ type: '=~' as MatchType, name: 'x', value: '[ab]*a[ab]{999}x' }];
const LONG = { x: abLabel(11, 16_384) };
const PLAIN = [{ type: '=~' as MatchType, name: 'x', value: 'a.*' }];

function rejection(p: Promise<unknown>): Promise<GatewayError> {
  return p.then(
    () => {
      throw new Error('resolved, expected a rejection');
    },
    (err: GatewayError) => err,
  );
}

describe('match pool', () => {
  let pool: MatchPool;
  afterEach(() => pool.close());

  test('answers what matches() answers on the main thread', async () => {
    pool = createMatchPool();
    const spec = [
      { type: '=~' as MatchType, name: 'instance', value: 'db-[0-9]+(:9100)?' },
      { type: '!=' as MatchType, name: 'env', value: 'dev' },
      { type: '!~' as MatchType, name: 'team', value: 'web|' },
    ];
    const labelSets: LabelSet[] = [
      { instance: 'db-1:9100', team: 'db' },
      { instance: 'db-1:9100', team: 'db', env: 'dev' },
      { instance: 'db-x', team: 'db' },
      { instance: 'db-22' },
      { instance: 'db-3', team: 'web' },
      { instance: 'db-4', team: 'ops', constructor: 'x' },
    ];
    const local = spec.map((m) => newMatcher(m.type, m.name, m.value));
    const { result } = await pool.run<boolean[]>({ op: 'match', matchers: spec, labelSets }, 1_000);
    expect(result).toEqual(labelSets.map((l) => matches(local, l)));
    expect(result).toContain(true);
    expect(result).toContain(false);
  });

  test('stops a match at its deadline and answers the next job on a fresh worker', async () => {
    pool = createMatchPool({ maxWorkers: 1 });
    await pool.run({ op: 'match', matchers: PLAIN, labelSets: [{ x: 'a' }] }, 1_000); // started and warm
    const start = performance.now();
    const err = await rejection(pool.run({ op: 'match', matchers: COSTLY, labelSets: [LONG] }, 300));
    const stoppedMs = performance.now() - start;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.details?.deadline).toBe(true);
    const after = performance.now();
    const { result } = await pool.run<boolean[]>({ op: 'match', matchers: PLAIN, labelSets: [LONG, { x: 'b' }] }, 1_000);
    console.log(`deadline 300 ms: stopped after ${stoppedMs.toFixed(0)} ms; next job on a fresh worker after ${(performance.now() - after).toFixed(0)} ms`);
    expect(stoppedMs).toBeLessThan(600);
    expect(result).toEqual([LONG.x.startsWith('a'), false]);
  });

  test('a job waiting behind a hung one gets the fresh worker as soon as the hung one is stopped', async () => {
    pool = createMatchPool({ maxWorkers: 1, waitMs: 10_000 });
    const hung = rejection(pool.run({ op: 'match', matchers: COSTLY, labelSets: [LONG] }, 300));
    const waiting = pool.run<boolean[]>({ op: 'match', matchers: PLAIN, labelSets: [{ x: 'abc' }] }, 1_000);
    expect((await hung).details?.deadline).toBe(true);
    expect((await waiting).result).toEqual([true]);
  });

  test('with every worker hung, a job waits at most waitMs and is told to retry (BUSY)', async () => {
    pool = createMatchPool({ maxWorkers: 1, waitMs: 200 });
    await pool.run({ op: 'match', matchers: PLAIN, labelSets: [{ x: 'a' }] }, 1_000);
    const hung = rejection(pool.run({ op: 'match', matchers: COSTLY, labelSets: [LONG] }, 2_000));
    const start = performance.now();
    const busy = await rejection(pool.run({ op: 'match', matchers: PLAIN, labelSets: [{ x: 'a' }] }, 1_000));
    const waitedMs = performance.now() - start;
    expect(busy.code).toBe('BUSY');
    expect(busy.retryable).toBe(true);
    expect(waitedMs).toBeGreaterThanOrEqual(190);
    expect(waitedMs).toBeLessThan(1_500);
    expect((await hung).details?.deadline).toBe(true);
  });
});
