import { formatPath, type ConfigProblem } from './config-path';
import { parseReferences } from './substitute-env';

/** Keys that hold secrets; `*` is any list index. They may only be filled from the environment. */
export const SECRET_KEYS: ReadonlyArray<ReadonlyArray<string>> = [
  ['sms', 'tencent', 'secretId'],
  ['sms', 'tencent', 'secretKey'],
  ['email', 'smtp', 'auth', 'pass'],
  ['email', 'http', 'bearerToken'],
  ['email', 'http', 'basic', 'password'],
  ['ingest', 'auth', 'bearerTokens', '*'],
  ['ingest', 'auth', 'basic', '*', 'password'],
  ['auth', 'jwt', 'hs256Secret'],
  ['alertmanager', 'bearerToken'],
  ['alertmanager', 'basic', 'password'],
  ['redis', 'password'],
  ['redis', 'sentinel', 'password'],
];

/**
 * Lists secret-bearing keys whose raw YAML value holds a literal secret (text outside a
 * `${...}` reference, or a non-empty `${NAME:-default}`). A config file gets copied, committed
 * and pasted into tickets; secrets belong in the environment or in *_FILE mounts.
 * With `blank`, each refused value is replaced by "" in `raw`, so that later checks treat it
 * as absent instead of reporting the same value again.
 */
export function findLiteralSecrets(raw: unknown, blank = false): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const pattern of SECRET_KEYS) visit(raw, pattern, [], problems, blank);
  return problems;
}

function visit(
  node: unknown,
  rest: ReadonlyArray<string>,
  path: Array<string | number>,
  problems: ConfigProblem[],
  blank: boolean,
  parent?: object,
): void {
  if (node === undefined || node === null) return;
  if (rest.length === 0) {
    if (isLiteral(node)) {
      problems.push({
        path: formatPath(path),
        message: 'must come from an environment variable (${NAME} or NAME_FILE), not the file',
      });
      if (blank && parent) (parent as Record<PropertyKey, unknown>)[path[path.length - 1] as PropertyKey] = '';
    }
    return;
  }
  const [head, ...tail] = rest as [string, ...string[]];
  if (head === '*') {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, tail, [...path, i], problems, blank, node));
    return;
  }
  if (typeof node === 'object' && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, head)) {
    const map = node as Record<string, unknown>;
    visit(map[head], tail, [...path, head], problems, blank, map);
  }
}

function isLiteral(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const { parts } = parseReferences(value);
  return parts.some((p) => (typeof p === 'string' ? p !== '' : (p.fallback ?? '') !== ''));
}
