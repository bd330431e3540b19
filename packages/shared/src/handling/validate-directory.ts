import Ajv from 'ajv';
import { checkDirectory } from '../config/check-config';
import { pointerToPath, type ConfigProblem } from '../config/config-path';
import { CONFIG_SCHEMA } from '../config/schema';
import { ajvProblems } from '../schema/ajv-problems';
import type { DirectoryDoc } from './types';

// The config's own schema pieces and options: a directory the API accepts is one the config
// file would accept, with the same messages.
const CONFIG_PROPERTIES = (CONFIG_SCHEMA as unknown as { properties: Record<string, object> }).properties;
// Without its default: a directory with no robots stays as it was written before chat existed.
const { default: _noRobots, ...ROBOTS_SCHEMA } = CONFIG_PROPERTIES.robots as { default?: unknown };
const DIRECTORY_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['users', 'routes', 'mandatory'],
  properties: {
    users: CONFIG_PROPERTIES.users,
    robots: ROBOTS_SCHEMA,
    routes: CONFIG_PROPERTIES.routes,
    mandatory: CONFIG_PROPERTIES.mandatory,
    schedules: CONFIG_PROPERTIES.schedules,
    updatedAt: { type: 'string' },
    updatedBy: { type: 'string' },
  },
};
const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: true, strict: true });
const validate = ajv.compile<DirectoryDoc>(DIRECTORY_SCHEMA);

/**
 * Validates a directory document with the config's schema (users, robots, routes, mandatory,
 * schedules) and the config's cross checks (addresses, matchers, notify and escalation targets,
 * channels, robots' references, schedule zones and members).
 * Applies the schema's defaults to `doc` (e.g. `groups: []`). Returns every problem, paths
 * like the config loader's ("routes[2].matchers[0]").
 */
export function validateDirectory(doc: unknown, channels: readonly string[]): ConfigProblem[] {
  if (!validate(doc)) {
    return ajvProblems(validate.errors).map((p) => ({ path: pointerToPath(p.pointer), message: p.message }));
  }
  const channelMap = Object.fromEntries(channels.map((c) => [c, { enabled: true, severities: [], statuses: [] }]));
  return checkDirectory({ ...doc, channels: channelMap });
}

/**
 * Problems as one readable line each, naming users and routes instead of list positions:
 * `route "db-team": matchers[0]: invalid matcher …`.
 */
export function describeProblems(problems: readonly ConfigProblem[], doc: Partial<DirectoryDoc>): string[] {
  return problems.map(({ path, message }) => {
    const m = /^(users|routes|schedules|robots)\[(\d+)\](?:\.(.*))?$/.exec(path);
    const entry = m ? (doc[m[1] as 'users' | 'routes' | 'schedules' | 'robots'] ?? [])[Number(m[2])] : undefined;
    if (!m || !entry || typeof (entry as { name?: unknown }).name !== 'string') return `${path}: ${message}`;
    const what = `${m[1]!.slice(0, -1)} "${(entry as { name: string }).name}"`;
    return m[3] ? `${what}: ${m[3]}: ${message}` : `${what}: ${message}`;
  });
}
