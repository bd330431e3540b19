import type { NotifyTarget, RobotConfig, ScheduleConfig, UserConfig } from '../config/types';
import { compileSchedule, type CompiledSchedule, type OnCallNow } from '../schedule/on-call';

const GROUP_PREFIX = 'group:';
/** Targets naming an on-call schedule: who they stand for depends on the time asked about. */
export const SCHEDULE_PREFIX = 'schedule:';
/** Prefix of a notify target naming a chat robot: `robot:<name>`. */
export const ROBOT_PREFIX = 'robot:';

/** What one notify target ("alice", "group:dba", "schedule:dba" or "robot:ops-room") stands for. */
export type TargetExpansion =
  | {
      ok: true;
      users: UserConfig[];
      /** For a schedule: who it named at the time asked about, and why. */
      onCall?: OnCallNow & { schedule: string };
      /** For "robot:<name>": the chat robot (reached on the chat channel only); absent otherwise. */
      robots?: RobotConfig[];
    }
  | { ok: false; reason: 'unknown-user' | 'unknown-group' | 'empty-group-name' | 'unknown-schedule' | 'unknown-robot'; name: string };

/** Lookup over the users directory: users by name, members by group, targets expanded. */
export interface Directory {
  user(name: string): UserConfig | undefined;
  /** Members of a group in directory order; empty when nobody is in it. */
  members(group: string): UserConfig[];
  /** The compiled schedule of that name. */
  schedule(name: string): CompiledSchedule | undefined;
  /** The chat robots by name (what notifier-chat posts to). */
  readonly robots: ReadonlyMap<string, RobotConfig>;
  /**
   * A user name, "group:<name>" or "schedule:<name>" turned into users; a group with no members
   * is unknown. A schedule is asked who is on at `atMs` (default: now) and may name nobody.
   */
  expand(target: NotifyTarget, atMs?: number): TargetExpansion;
}

/** True for a "schedule:<name>" target, whose users change with time. */
export function isScheduleTarget(target: NotifyTarget): boolean {
  return target.startsWith(SCHEDULE_PREFIX);
}

/**
 * Builds the directory lookup once, so resolving a delivery is map reads only (and, for a
 * schedule, a little date arithmetic). On duplicate names the first entry wins; checkRoutes
 * reports the duplicate.
 */
export function createDirectory(users: readonly UserConfig[], schedules: readonly ScheduleConfig[] = [], robots: readonly RobotConfig[] = []): Directory {
  const byName = new Map<string, UserConfig>();
  const byGroup = new Map<string, UserConfig[]>();
  for (const user of users) {
    if (byName.has(user.name)) continue;
    byName.set(user.name, user);
    for (const group of new Set(user.groups ?? [])) {
      const list = byGroup.get(group) ?? [];
      list.push(user);
      byGroup.set(group, list);
    }
  }
  const robotsByName = new Map<string, RobotConfig>();
  for (const robot of robots) if (!robotsByName.has(robot.name)) robotsByName.set(robot.name, robot);
  const bySchedule = new Map<string, CompiledSchedule>();
  for (const schedule of schedules) if (!bySchedule.has(schedule.name)) bySchedule.set(schedule.name, compileSchedule(schedule));

  const expandPerson = (target: NotifyTarget): TargetExpansion => {
    if (target.startsWith(GROUP_PREFIX)) {
      const group = target.slice(GROUP_PREFIX.length).trim();
      if (group === '') return { ok: false, reason: 'empty-group-name', name: target };
      const members = byGroup.get(group);
      // A group nobody belongs to is almost always a typo; treat it like an unknown name.
      if (!members || members.length === 0) return { ok: false, reason: 'unknown-group', name: group };
      return { ok: true, users: members };
    }
    const user = byName.get(target);
    return user ? { ok: true, users: [user] } : { ok: false, reason: 'unknown-user', name: target };
  };

  return {
    user: (name) => byName.get(name),
    members: (group) => byGroup.get(group) ?? [],
    schedule: (name) => bySchedule.get(name),
    robots: robotsByName,
    expand(target, atMs) {
      if (target.startsWith(ROBOT_PREFIX)) {
        const name = target.slice(ROBOT_PREFIX.length);
        const robot = robotsByName.get(name);
        return robot ? { ok: true, users: [], robots: [robot] } : { ok: false, reason: 'unknown-robot', name };
      }
      if (!isScheduleTarget(target)) return expandPerson(target);
      const name = target.slice(SCHEDULE_PREFIX.length).trim();
      const schedule = bySchedule.get(name);
      if (!schedule) return { ok: false, reason: 'unknown-schedule', name };
      const now = schedule.at(atMs ?? Date.now());
      // Members are users or groups (check-schedules refuses nested schedules); a member that
      // left the directory since is skipped rather than failing the whole schedule.
      const users = now.members.flatMap((m) => {
        const e = expandPerson(m);
        return e.ok ? e.users : [];
      });
      return { ok: true, users, onCall: { schedule: name, ...now } };
    },
  };
}

/** The config-style message for a target that expands to nobody known. */
export function targetProblem(expansion: Extract<TargetExpansion, { ok: false }>): string {
  return {
    'unknown-user': `unknown user "${expansion.name}" (not in users; write "group:<name>" for a group)`,
    'unknown-group': `group "${expansion.name}" has no members in users`,
    'empty-group-name': `"${expansion.name}" names no group`,
    'unknown-schedule': `unknown schedule "${expansion.name}" (not in schedules)`,
    'unknown-robot': `unknown robot "${expansion.name}" (not in robots)`,
  }[expansion.reason];
}
