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
      { id: 'db#2', channel: 'sms', route: 'db', tier: 2, afterMs: 30_000, notify: ['bob'] },
      { id: 'all-critical#1', channel: 'sms', route: 'all-critical', tier: 1, afterMs: 600_000, notify: ['cto'] },
      { id: 'db#1', channel: 'sms', route: 'db', tier: 1, afterMs: 1_800_000, notify: ['group:leads'] },
    ]);
    expect(index.tiersFor({ team: 'db', env: 'prod', severity: 'warning' }).map((t) => t.id)).toEqual(['db#1']);
    expect(index.tiersFor({ team: 'db', env: 'dev', severity: 'critical' }).map((t) => t.id)).toEqual(['all-critical#1']);
    expect(index.tiersFor({ team: 'web' })).toEqual([]);
  });

  it('splits a tier naming people and robots into an SMS tier and a chat tier, each with its own id', () => {
    const mixed = compileEscalations([
      { name: 'db', matchers: ['team="db"'], notify: ['a'], escalate: [{ afterMinutes: 5, notify: ['group:leads', 'robot:ops', 'schedule:dba'] }, { afterMinutes: 9, notify: ['robot:cto-room'] }] },
    ]);
    expect(mixed.tiersFor({ team: 'db' })).toEqual([
      { id: 'db#1', channel: 'sms', route: 'db', tier: 1, afterMs: 300_000, notify: ['group:leads', 'schedule:dba'] },
      { id: 'db#1@chat', channel: 'chat', route: 'db', tier: 1, afterMs: 300_000, notify: ['robot:ops'] },
      { id: 'db#2@chat', channel: 'chat', route: 'db', tier: 2, afterMs: 540_000, notify: ['robot:cto-room'] },
    ]);
  });

  it('is empty when no route escalates', () => {
    const none = compileEscalations([{ name: 'plain', matchers: ['team="web"'], notify: ['a'] }]);
    expect(none.empty).toBe(true);
    expect(none.tiersFor({ team: 'web' })).toEqual([]);
  });
});
