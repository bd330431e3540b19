import { DateTime } from 'luxon';
import { buildConfig, createDirectory, createResolver, GatewayError, type ScheduleConfig, type WebhookAlert } from '../../src';

const ZONE = 'Asia/Shanghai';
const at = (local: string) => DateTime.fromISO(local, { zone: ZONE }).toMillis();

const users = [
  { name: 'alice', email: 'alice@example.com', phone: '+8613800000001', groups: [] },
  { name: 'bob', email: 'bob@example.com', groups: ['dba'] },
  { name: 'carol', email: 'carol@example.com', phone: '+8613800000003', groups: ['dba'] },
];
const dba: ScheduleConfig = {
  name: 'dba',
  timeZone: ZONE,
  layers: [{ members: ['alice', 'group:dba'], rotation: 'day', start: '2026-03-01', handoverTime: '10:00' }],
};

const alert: WebhookAlert = {
  status: 'firing',
  labels: { alertname: 'Lag', team: 'db', severity: 'critical' },
  annotations: {},
  startsAt: '2026-03-02T01:00:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: '',
  fingerprint: 'aaaaaaaaaaaaaaaa',
};

describe('schedule:<name> targets', () => {
  it('expands to whoever is on at the time asked, a group member as the whole group', () => {
    const directory = createDirectory(users, [dba]);
    const morning = directory.expand('schedule:dba', at('2026-03-02T09:59'));
    expect(morning).toMatchObject({ ok: true, onCall: { schedule: 'dba', members: ['alice'], path: { source: 'layer' } } });
    expect(morning.ok && morning.users.map((u) => u.name)).toEqual(['alice']);
    const later = directory.expand('schedule:dba', at('2026-03-02T10:01'));
    expect(later.ok && later.users.map((u) => u.name)).toEqual(['bob', 'carol']);
    expect(directory.expand('schedule:nope', 0)).toEqual({ ok: false, reason: 'unknown-schedule', name: 'nope' });
  });

  it('keeps schedule targets for send time, and says who is on at the resolve time', () => {
    const resolver = createResolver(
      { users, mandatory: [], ownerLabel: '', schedules: [dba], routes: [{ name: 'db', matchers: ['team="db"'], notify: ['schedule:dba', 'carol'], channels: ['sms'] }] },
      ['email', 'sms'],
    );
    const r = resolver.resolve([alert], at('2026-03-02T10:01'));
    expect(r.sendTimeTargets).toEqual({ email: [], sms: [{ target: 'schedule:dba', rule: 'route:db' }] });
    // carol is named directly, so she is fixed; the schedule's people are not.
    expect(r.byChannel.sms).toEqual([{ name: 'carol', address: '+8613800000003', rules: ['route:db'] }]);
    expect(r.scheduled.sms).toEqual([{ name: 'carol', address: '+8613800000003', rules: ['route:db → schedule:dba'] }]);
    expect(r.unreachable).toEqual([{ user: 'bob', channel: 'sms', rule: 'route:db → schedule:dba' }]);
    expect(r.onCall).toEqual([{ rule: 'route:db', schedule: 'dba', users: ['bob', 'carol'], path: expect.objectContaining({ source: 'layer', layer: 'layer 1' }) }]);
  });

  it('judges an escalation tier naming a schedule by everyone the schedule can put on call', () => {
    const tier = (members: string[]) => ({
      users,
      schedules: [{ ...dba, layers: [{ ...dba.layers[0]!, members }] }],
      routes: [{ name: 'db', matchers: ['team="db"'], notify: ['carol'], escalate: [{ afterMinutes: 5, notify: ['schedule:dba'] }] }],
    });
    expect(() => buildConfig(tier(['alice', 'bob']), {})).not.toThrow();
    expect(() => buildConfig(tier(['bob']), {})).toThrow(/routes\[0\]\.escalate\[0\]\.notify: nobody here has a phone/);
  });

  it('refuses bad schedules with every problem and its path', () => {
    const raw = {
      users,
      mandatory: ['schedule:ghost'],
      schedulesTimeZone: 'Mars/Olympus',
      schedules: [
        {
          name: 'dba',
          timeZone: 'Europe/Atlantis',
          layers: [
            { members: ['dave', 'schedule:dba'], rotation: 'day', start: '2026-02-30', handoverWeekday: 'mon', restrictions: [{ from: '09:00', to: '09:00' }] },
            { members: ['alice'], rotation: '0h', start: '2026-03-01', handoverTime: '25:00' },
          ],
          overrides: [{ user: 'erin', from: '2026-03-02T12:00', to: '2026-03-02T11:00' }, { user: 'bob', from: 'tomorrow at 9', to: '2026-03-02T11:00' }],
        },
        { name: 'dba', layers: [{ members: ['bob'], rotation: 'week', start: '2026-03-02' }] },
      ],
    };
    let problems: string[] = [];
    try {
      buildConfig(raw, {});
    } catch (err) {
      problems = ((err as GatewayError).details?.problems as Array<{ path: string; message: string }>).map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^schedules\[0\]\.layers\[1\]\.rotation: must match pattern/),
        expect.stringMatching(/^schedules\[0\]\.layers\[1\]\.handoverTime: must match pattern/),
      ]),
    );
    // Shapes first; once they pass, the cross checks list the rest.
    raw.schedules[0]!.layers[1] = { members: ['alice'], rotation: '12h', start: '2026-03-01', handoverTime: '08:00' };
    try {
      buildConfig(raw, {});
    } catch (err) {
      problems = ((err as GatewayError).details?.problems as Array<{ path: string; message: string }>).map((p) => `${p.path}: ${p.message}`);
    }
    expect(problems.sort()).toEqual(
      [
        'mandatory[0]: unknown schedule "ghost" (not in schedules)',
        'schedulesTimeZone: "Mars/Olympus" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)',
        'schedules[0].timeZone: "Europe/Atlantis" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)',
        'schedules[0].layers[0].start: "2026-02-30" is not a date (YYYY-MM-DD)',
        'schedules[0].layers[0].handoverWeekday: only a weekly rotation (rotation: week) has a handover weekday',
        'schedules[0].layers[0].members[0]: unknown user "dave" (not in users; write "group:<name>" for a group)',
        'schedules[0].layers[0].members[1]: a schedule cannot name another schedule; list its users or groups',
        'schedules[0].layers[0].restrictions[0]: from and to are the same time; leave restrictions out for a layer that covers the whole day',
        'schedules[0].overrides[0].user: unknown user "erin" (an override names one user)',
        'schedules[0].overrides[0].to: must be after from',
        'schedules[0].overrides[1].from: "tomorrow at 9" is not an ISO 8601 time like 2026-03-02T09:00 or 2026-03-02T09:00+08:00',
        'schedules[1].name: duplicate schedule name "dba" (first at schedules[0])',
      ].sort(),
    );
  });
});
