import { DateTime, IANAZone } from 'luxon';
import type { ScheduleConfig, UserConfig } from '../config/types';
import { createDirectory, isScheduleTarget, targetProblem } from '../resolver/directory';
import { clockMinutes } from './layer-shift';

/** One problem in `schedules`, with the path of the offending value ("schedules[0].layers[1].start"). */
export interface ScheduleProblem {
  path: string;
  message: string;
}

/**
 * Lists what the schema cannot see in `schedules`: zones Luxon does not know, dates that do not
 * exist, members and override users not in the directory, nested schedules, overrides that end
 * before they start, empty restriction windows and duplicate names. With `zoneRequired` (the
 * live directory, where the default zone is filled in on write) a schedule must name its zone.
 */
export function checkSchedules(schedules: readonly ScheduleConfig[], users: readonly UserConfig[], opts: { zoneRequired: boolean }): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const directory = createDirectory(users);
  const seen = new Map<string, number>();
  schedules.forEach((schedule, i) => {
    const at = `schedules[${i}]`;
    const first = seen.get(schedule.name);
    if (first === undefined) seen.set(schedule.name, i);
    else add(`${at}.name`, `duplicate schedule name "${schedule.name}" (first at schedules[${first}])`);

    const zone = schedule.timeZone;
    if (zone === undefined) {
      if (opts.zoneRequired) add(`${at}.timeZone`, 'is required (the API and alertctl fill in schedulesTimeZone when it is left out)');
    } else if (!IANAZone.isValidZone(zone)) {
      add(`${at}.timeZone`, `"${zone}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)`);
    }
    const validZone = zone !== undefined && IANAZone.isValidZone(zone) ? zone : 'UTC';

    (schedule.layers ?? []).forEach((layer, l) => {
      const lat = `${at}.layers[${l}]`;
      if (!DateTime.fromISO(layer.start ?? '', { zone: validZone }).isValid) add(`${lat}.start`, `"${layer.start}" is not a date (YYYY-MM-DD)`);
      if (layer.handoverWeekday !== undefined && layer.rotation !== 'week') add(`${lat}.handoverWeekday`, 'only a weekly rotation (rotation: week) has a handover weekday');
      (layer.members ?? []).forEach((member, m) => {
        if (isScheduleTarget(member)) return add(`${lat}.members[${m}]`, 'a schedule cannot name another schedule; list its users or groups');
        const e = directory.expand(member);
        if (!e.ok) add(`${lat}.members[${m}]`, targetProblem(e));
      });
      (layer.restrictions ?? []).forEach((r, k) => {
        if (typeof r.from === 'string' && typeof r.to === 'string' && clockMinutes(r.from) === clockMinutes(r.to)) {
          add(`${lat}.restrictions[${k}]`, 'from and to are the same time; leave restrictions out for a layer that covers the whole day');
        }
      });
    });

    (schedule.overrides ?? []).forEach((o, k) => {
      const oat = `${at}.overrides[${k}]`;
      if (!directory.user(o.user)) add(`${oat}.user`, `unknown user "${o.user}" (an override names one user)`);
      const from = DateTime.fromISO(o.from ?? '', { zone: validZone });
      const to = DateTime.fromISO(o.to ?? '', { zone: validZone });
      if (!from.isValid) add(`${oat}.from`, `"${o.from}" is not an ISO 8601 time like 2026-03-02T09:00 or 2026-03-02T09:00+08:00`);
      if (!to.isValid) add(`${oat}.to`, `"${o.to}" is not an ISO 8601 time like 2026-03-02T18:00 or 2026-03-02T18:00+08:00`);
      if (from.isValid && to.isValid && to <= from) add(`${oat}.to`, 'must be after from');
    });
  });
  return problems;
}
