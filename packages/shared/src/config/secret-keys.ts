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
  ['ingest', 'ackLinks', 'key'],
  ['alertmanager', 'bearerToken'],
  ['alertmanager', 'basic', 'password'],
  ['redis', 'password'],
  ['redis', 'sentinel', 'password'],
];

/** One secret-bearing value found in a tree, with where it sits. */
export interface SecretAt {
  path: string;
  value: unknown;
  /** The object or array holding it, and its key there (to blank it). */
  parent: Record<PropertyKey, unknown>;
  key: string | number;
}

/** Every value a SECRET_KEYS pattern names in a tree (raw YAML or a built config). */
export function secretsIn(tree: unknown): SecretAt[] {
  const found: SecretAt[] = [];
  for (const pattern of SECRET_KEYS) visit(tree, pattern, [], found);
  return found;
}

/**
 * Lists secret-bearing keys whose raw YAML value holds a literal secret (text outside a
 * `${...}` reference, or a non-empty `${NAME:-default}`). A config file gets copied, committed
 * and pasted into tickets; secrets belong in the environment or in *_FILE mounts.
 * With `blank`, each refused value is replaced by "" in `raw`, so that later checks treat it
 * as absent instead of reporting the same value again.
 */
export function findLiteralSecrets(raw: unknown, blank = false): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const found of secretsIn(raw)) {
    if (!isLiteral(found.value)) continue;
    problems.push({ path: found.path, message: 'must come from an environment variable (${NAME} or NAME_FILE), not the file' });
    if (blank) found.parent[found.key] = '';
  }
  return problems;
}

function visit(node: unknown, rest: ReadonlyArray<string>, path: Array<string | number>, found: SecretAt[], parent?: object): void {
  if (node === undefined || node === null) return;
  if (rest.length === 0) {
    if (parent) found.push({ path: formatPath(path), value: node, parent: parent as Record<PropertyKey, unknown>, key: path[path.length - 1] as string | number });
    return;
  }
  const [head, ...tail] = rest as [string, ...string[]];
  if (head === '*') {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, tail, [...path, i], found, node));
    return;
  }
  if (typeof node === 'object' && !Array.isArray(node) && Object.prototype.hasOwnProperty.call(node, head)) {
    const map = node as Record<string, unknown>;
    visit(map[head], tail, [...path, head], found, map);
  }
}

function isLiteral(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const { parts } = parseReferences(value);
  return parts.some((p) => (typeof p === 'string' ? p !== '' : (p.fallback ?? '') !== ''));
}
