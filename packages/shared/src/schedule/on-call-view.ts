import { DateTime } from 'luxon';
import type { Directory } from '../resolver/directory';
import type { OnCall } from './on-call';

/** An on-call answer as the API returns it: the schedule's members expanded to user names, times as ISO. */
export interface OnCallView {
  schedule: string;
  timeZone: string;
  /** As the schedule lists them (users or "group:<name>"). */
  members: string[];
  users: string[];
  until?: string;
  /** The same moment in the schedule's zone, as people there read it ("2026-03-02T10:00:00.000+08:00"). */
  untilLocal?: string;
  path: OnCall['path'];
}

/** Turns onCallAt's answer into the API's shape. */
export function onCallView(answer: OnCall, directory: Directory): OnCallView {
  const users = answer.members.flatMap((m) => {
    const e = directory.expand(m);
    return e.ok ? e.users.map((u) => u.name) : [];
  });
  return {
    schedule: answer.schedule,
    timeZone: answer.timeZone,
    members: answer.members,
    users: [...new Set(users)],
    ...(answer.until !== undefined
      ? { until: new Date(answer.until).toISOString(), untilLocal: DateTime.fromMillis(answer.until, { zone: answer.timeZone }).toISO() ?? '' }
      : {}),
    path: answer.path,
  };
}
