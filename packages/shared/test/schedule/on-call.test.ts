import { DateTime } from 'luxon';
import { compileSchedule, onCallAt, type ScheduleConfig } from '../../src';

/** Epoch ms of a local time in a zone: the fake clock every case passes in. */
const at = (local: string, zone: string) => DateTime.fromISO(local, { zone }).toMillis();
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

const daily: ScheduleConfig = {
  name: 'dba',
  timeZone: 'Asia/Shanghai',
  layers: [{ members: ['alice', 'bob', 'carol'], rotation: 'day', start: '2026-03-01', handoverTime: '10:00' }],
};

describe('onCallAt', () => {
  it('hands over at 10:00 local: 09:59 and 10:01 reach different people', () => {
    const before = onCallAt(daily, at('2026-03-02T09:59', 'Asia/Shanghai'));
    const after = onCallAt(daily, at('2026-03-02T10:01', 'Asia/Shanghai'));
    expect(before.members).toEqual(['alice']);
    expect(after.members).toEqual(['bob']);
    expect(iso(before.until)).toBe('2026-03-02T02:00:00.000Z');
    expect(after.path).toMatchObject({ source: 'layer', layer: 'layer 1', shift: { index: 1 } });
    // The rotation wraps around.
    expect(onCallAt(daily, at('2026-03-04T10:00', 'Asia/Shanghai')).members).toEqual(['alice']);
  });

  it('has nobody on before the first shift', () => {
    const early = onCallAt(daily, at('2026-03-01T09:00', 'Asia/Shanghai'));
    expect(early.members).toEqual([]);
    expect(early.path.source).toBe('nobody');
    expect(iso(early.until)).toBe('2026-03-01T02:00:00.000Z');
  });

  it('lets an override win over the layers, then gives the layer back', () => {
    const schedule: ScheduleConfig = { ...daily, overrides: [{ user: 'dave', from: '2026-03-02T12:00', to: '2026-03-02T14:00+08:00' }] };
    const during = onCallAt(schedule, at('2026-03-02T13:00', 'Asia/Shanghai'));
    expect(during.members).toEqual(['dave']);
    expect(during.path.source).toBe('override');
    expect(iso(during.until)).toBe('2026-03-02T06:00:00.000Z');
    expect(onCallAt(schedule, at('2026-03-02T14:00', 'Asia/Shanghai')).members).toEqual(['bob']);
  });

  it('falls through a restriction gap to the layer below (the last layer with somebody on wins)', () => {
    const schedule: ScheduleConfig = {
      name: 'web',
      timeZone: 'Europe/Berlin',
      layers: [
        { name: 'week', members: ['carol', 'dave'], rotation: 'week', start: '2026-03-02', handoverTime: '09:00', handoverWeekday: 'mon' },
        { name: 'daytime', members: ['alice', 'bob'], rotation: 'week', start: '2026-03-02', restrictions: [{ weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' }] },
      ],
    };
    const noon = onCallAt(schedule, at('2026-03-03T12:00', 'Europe/Berlin'));
    expect(noon.members).toEqual(['alice']);
    expect(iso(noon.until)).toBe(iso(at('2026-03-03T18:00', 'Europe/Berlin')));
    const evening = onCallAt(schedule, at('2026-03-03T20:00', 'Europe/Berlin'));
    expect(evening.members).toEqual(['carol']);
    expect(evening.path).toMatchObject({ source: 'layer', layer: 'week', passedOver: [{ layer: 'daytime', why: 'outside its restrictions' }] });
    // Until the daytime layer takes over the next morning.
    expect(iso(evening.until)).toBe(iso(at('2026-03-04T09:00', 'Europe/Berlin')));
    expect(onCallAt(schedule, at('2026-03-07T12:00', 'Europe/Berlin')).members).toEqual(['carol']);
    expect(onCallAt(schedule, at('2026-03-10T12:00', 'Europe/Berlin')).members).toEqual(['bob']);
    expect(onCallAt(schedule, at('2026-03-10T20:00', 'Europe/Berlin')).members).toEqual(['dave']);
  });

  it('keeps daily handovers at local time across DST in Europe/Berlin and America/New_York', () => {
    const berlin: ScheduleConfig = { ...daily, timeZone: 'Europe/Berlin' };
    // 29 March 2026: clocks go 02:00 CET → 03:00 CEST, so 10:00 local moves from 09:00Z to 08:00Z.
    expect(onCallAt(berlin, Date.parse('2026-03-28T08:59:00Z')).members).not.toEqual(onCallAt(berlin, Date.parse('2026-03-28T09:01:00Z')).members);
    const sunday = onCallAt(berlin, Date.parse('2026-03-29T07:59:00Z'));
    expect(iso(sunday.until)).toBe('2026-03-29T08:00:00.000Z');
    expect(onCallAt(berlin, Date.parse('2026-03-29T08:01:00Z')).members).not.toEqual(sunday.members);
    expect(sunday.path.shift).toMatchObject({ start: '2026-03-28T10:00:00.000+01:00', end: '2026-03-29T10:00:00.000+02:00' });

    const ny: ScheduleConfig = { ...daily, timeZone: 'America/New_York', layers: [{ ...daily.layers[0]!, rotation: '12h', handoverTime: '08:00' }] };
    // 1 November 2026: 02:00 EDT → 01:00 EST; the 20:00 handover is at 00:00Z before and 01:00Z after.
    const evening = onCallAt(ny, at('2026-11-01T19:00', 'America/New_York'));
    expect(iso(evening.until)).toBe('2026-11-02T01:00:00.000Z');
    const night = onCallAt(ny, at('2026-10-31T21:00', 'America/New_York'));
    expect(night.path.shift).toMatchObject({ start: '2026-10-31T20:00:00.000-04:00', end: '2026-11-01T08:00:00.000-05:00' });
  });

  it('says how long the same person stays on across handovers hidden by a higher layer', () => {
    const schedule: ScheduleConfig = {
      name: 'cover',
      timeZone: 'UTC',
      layers: [
        { members: ['carol', 'dave'], rotation: '1h', start: '2026-01-01' },
        { members: ['alice'], rotation: 'week', start: '2026-01-01', restrictions: [{ from: '09:00', to: '17:00' }] },
      ],
    };
    expect(iso(onCallAt(schedule, Date.parse('2026-01-05T10:00:00Z')).until)).toBe('2026-01-05T17:00:00.000Z');
    // A single member that never changes: no end within the look-ahead.
    expect(onCallAt({ name: 'solo', layers: [{ members: ['alice'], rotation: 'week', start: '2026-01-01' }] }, Date.parse('2026-06-01T00:00:00Z')).until).toBeUndefined();
  });

  it('answers the same from a long-lived compiled schedule (its caches) as from a fresh one, in any order of times', () => {
    const schedule: ScheduleConfig = {
      name: 'mixed',
      timeZone: 'Europe/Berlin',
      layers: [
        { members: ['a', 'b', 'c'], rotation: '12h', start: '2026-03-01', handoverTime: '08:00' },
        { members: ['d', 'e'], rotation: 'day', start: '2026-03-10', handoverTime: '02:30', restrictions: [{ weekdays: ['fri', 'sat'], from: '22:00', to: '06:00' }, { from: '12:00', to: '13:00' }] },
      ],
      overrides: [{ user: 'f', from: '2026-03-28T23:00', to: '2026-03-29T04:00' }],
    };
    const compiled = compileSchedule(schedule);
    // A fixed pseudo-random walk over March and April 2026 (across the DST change), forwards and back.
    let seed = 42;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    let t = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 500; i++) {
      t += Math.round((next() - 0.35) * 6 * 3_600_000);
      expect({ t, ...compiled.at(t) }).toEqual({ t, ...compileSchedule(schedule).at(t) });
    }
  });
});
