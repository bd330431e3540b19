import type { ConfigProblem } from './config-path';
import type { RobotConfig } from './types';

/** Exactly one `${NAME}` reference: no text around it, no `:-default` (that would be a literal). */
const ENV_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/**
 * Robot fields kept as written by the config loader (`*` is any list index): notifier-chat
 * resolves these references when it sends, so the directory in Redis, the API and alertctl
 * only ever hold the variable's name, never the webhook's token or the signing secret.
 */
export const ROBOT_REFERENCE_KEYS: ReadonlyArray<ReadonlyArray<string>> = [
  ['robots', '*', 'webhookUrl'],
  ['robots', '*', 'secret'],
];

/** True when `value` is exactly one `${NAME}` reference. */
export function isEnvReference(value: string): boolean {
  return ENV_REFERENCE.test(value);
}

/**
 * Problems of the robots' webhook URL and secret: each must be a bare `${NAME}` reference (a
 * literal URL carries the robot's access token). Messages never echo the refused value: it may
 * be the secret itself.
 */
export function checkRobotReferences(robots: readonly RobotConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  robots.forEach((robot, i) => {
    for (const key of ['webhookUrl', 'secret'] as const) {
      const value = robot[key];
      if (typeof value === 'string' && !isEnvReference(value)) {
        problems.push({
          path: `robots[${i}].${key}`,
          message: `must be exactly one \${NAME} reference to an environment variable of notifier-chat (e.g. "\${${exampleVariable(robot, key)}}"), not the value itself: a robot's ${key === 'webhookUrl' ? 'webhook URL carries its access token' : 'secret signs its messages'}`,
        });
      }
    }
  });
  return problems;
}

/** A variable name to suggest, from the robot's name: ops-room → CHAT_OPS_ROOM_WEBHOOK. */
function exampleVariable(robot: RobotConfig, key: 'webhookUrl' | 'secret'): string {
  const stem = typeof robot.name === 'string' ? robot.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') : '';
  return `CHAT_${stem || 'ROBOT'}_${key === 'webhookUrl' ? 'WEBHOOK' : 'SECRET'}`;
}
