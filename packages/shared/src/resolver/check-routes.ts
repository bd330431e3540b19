import type { GatewayConfig, NotifyTarget } from '../config/types';
import { createDirectory, targetProblem, type Directory } from './directory';
import { parseMatchers } from './parse-matchers';

/** One problem found in the routing part of the config, with the path of the offending value. */
export interface RouteProblem {
  /** e.g. "routes[1].matchers[0]", "mandatory[2]", "routes[3].name". */
  path: string;
  message: string;
}

/**
 * Lists every problem in users/mandatory/routes that the JSON schema cannot see: matchers that
 * do not parse, notify targets naming an unknown user, schedule or robot or an empty group,
 * duplicate route, user and robot names. The config loader adds these to its own list, so nothing
 * here throws.
 */
export function checkRoutes(
  cfg: Pick<GatewayConfig, 'users' | 'mandatory' | 'routes'> & { schedules?: GatewayConfig['schedules']; robots?: GatewayConfig['robots'] },
): RouteProblem[] {
  const problems: RouteProblem[] = [];
  const users = cfg.users ?? [];
  const directory = createDirectory(users, cfg.schedules ?? [], cfg.robots ?? []);

  duplicateNames(users, 'users', 'user', problems);
  duplicateNames(cfg.robots ?? [], 'robots', 'robot', problems);

  (cfg.mandatory ?? []).forEach((target, i) => checkTarget(directory, target, `mandatory[${i}]`, problems));

  (cfg.routes ?? []).forEach((route, i) => {
    (route.matchers ?? []).forEach((input, j) => {
      try {
        // Alertmanager reads "", "{}" and even "{" as no matchers; in a list of matchers that is
        // a slip that would make the route match every alert.
        if (parseMatchers(input).length === 0) {
          problems.push({ path: `routes[${i}].matchers[${j}]`, message: `"${input}" contains no matcher; remove the entry` });
        }
      } catch (err) {
        problems.push({ path: `routes[${i}].matchers[${j}]`, message: (err as Error).message });
      }
    });
    (route.notify ?? []).forEach((target, j) => checkTarget(directory, target, `routes[${i}].notify[${j}]`, problems));
  });
  duplicateNames(cfg.routes ?? [], 'routes', 'route', problems);
  return problems;
}

/** Reports every entry whose name an earlier entry of the same list already has. */
function duplicateNames(list: ReadonlyArray<{ name: string }>, section: string, noun: string, problems: RouteProblem[]): void {
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    const first = seen.get(entry.name);
    if (first === undefined) seen.set(entry.name, i);
    else problems.push({ path: `${section}[${i}].name`, message: `duplicate ${noun} name "${entry.name}" (first at ${section}[${first}])` });
  });
}

function checkTarget(directory: Directory, target: NotifyTarget, path: string, problems: RouteProblem[]): void {
  const expansion = directory.expand(target);
  if (!expansion.ok) problems.push({ path, message: targetProblem(expansion) });
}
