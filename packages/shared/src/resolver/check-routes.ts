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
 * do not parse, notify targets naming an unknown user, schedule or an empty group, duplicate route and
 * user names. The config loader adds these to its own list, so nothing here throws.
 */
export function checkRoutes(cfg: Pick<GatewayConfig, 'users' | 'mandatory' | 'routes'> & { schedules?: GatewayConfig['schedules'] }): RouteProblem[] {
  const problems: RouteProblem[] = [];
  const users = cfg.users ?? [];
  const directory = createDirectory(users, cfg.schedules ?? []);

  const seenUsers = new Map<string, number>();
  users.forEach((user, i) => {
    const first = seenUsers.get(user.name);
    if (first === undefined) seenUsers.set(user.name, i);
    else problems.push({ path: `users[${i}].name`, message: `duplicate user name "${user.name}" (first at users[${first}])` });
  });

  (cfg.mandatory ?? []).forEach((target, i) => checkTarget(directory, target, `mandatory[${i}]`, problems));

  const seenRoutes = new Map<string, number>();
  (cfg.routes ?? []).forEach((route, i) => {
    const first = seenRoutes.get(route.name);
    if (first === undefined) seenRoutes.set(route.name, i);
    else problems.push({ path: `routes[${i}].name`, message: `duplicate route name "${route.name}" (first at routes[${first}])` });

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
  return problems;
}

function checkTarget(directory: Directory, target: NotifyTarget, path: string, problems: RouteProblem[]): void {
  const expansion = directory.expand(target);
  if (!expansion.ok) problems.push({ path, message: targetProblem(expansion) });
}
