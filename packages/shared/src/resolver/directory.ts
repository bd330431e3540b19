import type { NotifyTarget, UserConfig } from '../config/types';

const GROUP_PREFIX = 'group:';

/** What one notify target ("alice" or "group:dba") stands for. */
export type TargetExpansion =
  | { ok: true; users: UserConfig[] }
  | { ok: false; reason: 'unknown-user' | 'unknown-group' | 'empty-group-name'; name: string };

/** Lookup over the users directory: users by name, members by group, targets expanded. */
export interface Directory {
  user(name: string): UserConfig | undefined;
  /** Members of a group in directory order; empty when nobody is in it. */
  members(group: string): UserConfig[];
  /** A user name or "group:<name>" turned into users; a group with no members is unknown. */
  expand(target: NotifyTarget): TargetExpansion;
}

/**
 * Builds the directory lookup once, so resolving a delivery is map reads only. On duplicate
 * names the first entry wins; checkRoutes reports the duplicate.
 */
export function createDirectory(users: readonly UserConfig[]): Directory {
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
  return {
    user: (name) => byName.get(name),
    members: (group) => byGroup.get(group) ?? [],
    expand(target) {
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
    },
  };
}
