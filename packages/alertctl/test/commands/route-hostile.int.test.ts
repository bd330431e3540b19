import type Redis from 'ioredis';
import { deleteKeys, testRedis } from '@alertgw/testkit';
import { cliSetup, type CliSetup } from '../support/cli';

// `(.*.*)*x` and `(a+)+b` take exponential time in a backtracking engine on a value that fails at
// its end; route test evaluates them with RE2 in time linear in the value.
describe('alertctl route test with hostile regexes (real Redis)', () => {
  let redis: Redis;
  let setup: CliSetup;

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    setup = cliSetup((tree) => {
      tree.routes = [
        { name: 'dotstar', matchers: ['instance=~"(.*.*)*x"'], notify: ['bob'] },
        { name: 'nested', matchers: ['instance=~"(a+)+b"'], notify: ['bob'] },
        { name: 'fits', matchers: ['instance=~"a+"'], notify: ['alice'] },
      ];
    });
  });
  afterEach(async () => {
    await deleteKeys(redis, setup.prefix);
    setup.cleanup();
  });
  afterAll(() => redis.quit());

  it('answers in well under a second for a 100k-character label', async () => {
    const labels = `instance=${'a'.repeat(100_000)}`;
    await setup.run(['route', 'test', '--labels', 'instance=a', '--json']); // warm-up
    const start = Date.now();
    const r = await setup.run(['route', 'test', '--labels', labels, '--json']);
    const ms = Date.now() - start;
    expect(r.stderr).toBe('');
    const matched = JSON.parse(r.stdout).routes.map((x: { name: string; matched: boolean }) => [x.name, x.matched]);
    expect(matched).toEqual([['dotstar', false], ['nested', false], ['fits', true]]);
    expect(ms).toBeLessThan(1_000);
  });

  it('refuses a route whose regex Go would reject, saying why', async () => {
    const r = await setup.run(['route', 'set', 'bad', '--matcher', 'instance=~"(a)\\1"', '--notify', 'bob']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('invalid escape sequence: `\\1`');
  });
});
