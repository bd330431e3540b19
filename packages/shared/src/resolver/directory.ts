import type { NotifyTarget, RobotConfig, UserConfig } from '../config/types';

const GROUP_PREFIX = 'group:';
/** Prefix of a notify target naming a chat robot: `robot:<name>`. */
export const ROBOT_PREFIX = 'robot:';

/** What one notify target ("alice", "group:dba" or "robot:ops-room") stands for. */
export type TargetExpansion =
  | { ok: true; users: UserConfig[]; robots: RobotConfig[] }
  | { ok: false; reason: 'unknown-user' | 'unknown-group' | 'empty-group-name' | 'unknown-robot'; name: string };

/** Lookup over the directory: users by name, members by group, robots by name, targets expanded. */
export interface Directory {
  user(name: string): UserConfig | undefined;
  /** Members of a group in directory order; empty when nobody is in it. */
  members(group: string): UserConfig[];
  robot(name: string): RobotConfig | undefined;
  /** A user name, "group:<name>" or "robot:<name>" turned into users or a robot; a group with no members is unknown. */
  expand(target: NotifyTarget): TargetExpansion;
}

/**
 * Builds the directory lookup once, so resolving a delivery is map reads only. On duplicate
 * names the first entry wins; checkRoutes reports the duplicate.
 */
export function createDirectory(users: readonly UserConfig[], robots: readonly RobotConfig[] = []): Directory {
  const byName = new Map<string, UserConfig>();
  const byGroup = new Map<string, UserConfig[]>();
  const robotsByName = new Map<string, RobotConfig>();
  for (const user of users) {
    if (byName.has(user.name)) continue;
    byName.set(user.name, user);
    for (const group of new Set(user.groups ?? [])) {
      const list = byGroup.get(group) ?? [];
      list.push(user);
      byGroup.set(group, list);
    }
  }
  for (const robot of robots) if (!robotsByName.has(robot.name)) robotsByName.set(robot.name, robot);
  return {
    user: (name) => byName.get(name),
    members: (group) => byGroup.get(group) ?? [],
    robot: (name) => robotsByName.get(name),
    expand(target) {
      if (target.startsWith(GROUP_PREFIX)) {
        const group = target.slice(GROUP_PREFIX.length).trim();
        if (group === '') return { ok: false, reason: 'empty-group-name', name: target };
        const members = byGroup.get(group);
        // A group nobody belongs to is almost always a typo; treat it like an unknown name.
        if (!members || members.length === 0) return { ok: false, reason: 'unknown-group', name: group };
        return { ok: true, users: members, robots: [] };
      }
      if (target.startsWith(ROBOT_PREFIX)) {
        const name = target.slice(ROBOT_PREFIX.length);
        const robot = robotsByName.get(name);
        return robot ? { ok: true, users: [], robots: [robot] } : { ok: false, reason: 'unknown-robot', name };
      }
      const user = byName.get(target);
      return user ? { ok: true, users: [user], robots: [] } : { ok: false, reason: 'unknown-user', name: target };
    },
  };
}

/** What is wrong with a target that did not expand, in the words of config and API problems. */
export function expansionProblem(expansion: Extract<TargetExpansion, { ok: false }>): string {
  return {
    'unknown-user': `unknown user "${expansion.name}" (not in users; write "group:<name>" for a group)`,
    'unknown-group': `group "${expansion.name}" has no members in users`,
    'empty-group-name': `"${expansion.name}" names no group`,
    'unknown-robot': `unknown robot "${expansion.name}" (not in robots)`,
  }[expansion.reason];
}
