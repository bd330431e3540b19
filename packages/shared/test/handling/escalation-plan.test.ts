import { compileEscalations } from '../../src/handling/escalation-plan';

describe('compileEscalations', () => {
  const index = compileEscalations([
    { name: 'plain', matchers: ['team="web"'], notify: ['a'] },
    {
      name: 'db',
      matchers: ['team="db"', 'env=~"prod|staging"'],
      notify: ['a'],
      escalate: [
        { afterMinutes: 30, notify: ['group:leads'] },
        { afterMinutes: 0.5, notify: ['bob'], severities: ['Critical'] },
      ],
    },
    { name: 'all-critical', matchers: ['severity="critical"'], notify: ['a'], escalate: [{ afterMinutes: 10, notify: ['cto'] }] },
  ]);

  it('gives the tiers whose route matches the alert and whose severities include its own, soonest first', () => {
    expect(index.empty).toBe(false);
    expect(index.tiersFor({ team: 'db', env: 'prod', severity: 'critical' })).toEqual([
      { id: 'db#2', route: 'db', tier: 2, afterMs: 30_000, notify: ['bob'] },
      { id: 'all-critical#1', route: 'all-critical', tier: 1, afterMs: 600_000, notify: ['cto'] },
      { id: 'db#1', route: 'db', tier: 1, afterMs: 1_800_000, notify: ['group:leads'] },
    ]);
    expect(index.tiersFor({ team: 'db', env: 'prod', severity: 'warning' }).map((t) => t.id)).toEqual(['db#1']);
    expect(index.tiersFor({ team: 'db', env: 'dev', severity: 'critical' }).map((t) => t.id)).toEqual(['all-critical#1']);
    expect(index.tiersFor({ team: 'web' })).toEqual([]);
  });

  it('is empty when no route escalates', () => {
    const none = compileEscalations([{ name: 'plain', matchers: ['team="web"'], notify: ['a'] }]);
    expect(none.empty).toBe(true);
    expect(none.tiersFor({ team: 'web' })).toEqual([]);
  });
});
