import { readSecretFile } from './read-secret-file';
import { formatPath, type ConfigProblem } from './config-path';

/** `$${` is an escaped literal `${`; `${NAME}` / `${NAME:-default}` are references. */
const TOKEN = /\$\$\{|\$\{([^}]*)(\}?)/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/** A parsed `${...}` reference inside one string. */
export interface EnvReference {
  name: string;
  /** Present for `${NAME:-default}`. */
  fallback?: string;
}

/**
 * Splits a string into literal text and references; `bad` is true when some `${` does not
 * form a valid reference (unterminated, or an invalid variable name).
 */
export function parseReferences(value: string): {
  parts: Array<string | EnvReference>;
  bad: boolean;
} {
  const parts: Array<string | EnvReference> = [];
  let bad = false;
  let last = 0;
  for (const m of value.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) parts.push(value.slice(last, at));
    last = at + m[0].length;
    if (m[0] === '$${') {
      parts.push('${');
      continue;
    }
    const ref = m[2] === '}' ? REFERENCE.exec(m[1] ?? '') : null;
    if (!ref) {
      bad = true;
      parts.push(m[0]);
      continue;
    }
    parts.push(ref[2] === undefined ? { name: ref[1] as string } : { name: ref[1] as string, fallback: ref[2] });
  }
  if (last < value.length) parts.push(value.slice(last));
  return { parts, bad };
}

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value (never in keys) of a parsed
 * YAML tree. NAME wins when set and non-empty; else the content of the file named by NAME_FILE
 * (trailing newlines trimmed, the Docker/Kubernetes secrets convention); else the default;
 * else `${NAME}` alone gives NAME's value even when empty, and an unset NAME is a problem.
 * Problems never contain a variable's value: it may be a secret. Values at a `keep` path
 * (key names, `*` for any list index) stay as written, references and all.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  path: Array<string | number> = [],
  keep: ReadonlyArray<ReadonlyArray<string>> = [],
): unknown {
  if (keep.some((pattern) => atPath(path, pattern))) return value;
  if (typeof value === 'string') return substituteString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, problems, [...path, i], keep));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, problems, [...path, k], keep);
    return out;
  }
  return value;
}

function atPath(path: ReadonlyArray<string | number>, pattern: ReadonlyArray<string>): boolean {
  return path.length === pattern.length && pattern.every((seg, i) => (seg === '*' ? typeof path[i] === 'number' : seg === path[i]));
}

function substituteString(
  value: string,
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  path: Array<string | number>,
): string {
  if (!value.includes('${')) return value;
  const { parts, bad } = parseReferences(value);
  const where = formatPath(path);
  if (bad) {
    problems.push({
      path: where,
      message: 'invalid ${...} reference: write ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or $${ for a literal ${',
    });
    return value;
  }
  return parts.map((p) => (typeof p === 'string' ? p : resolveReference(p, env, problems, where))).join('');
}

function resolveReference(ref: EnvReference, env: NodeJS.ProcessEnv, problems: ConfigProblem[], where: string): string {
  // Own variables only: `${constructor}` must not find Object.prototype.constructor.
  const own = (name: string) => (Object.hasOwn(env, name) ? env[name] : undefined);
  const direct = own(ref.name);
  const fileName = own(`${ref.name}_FILE`);
  if (direct && fileName) {
    problems.push({ path: where, message: `both ${ref.name} and ${ref.name}_FILE are set; set only one` });
    return '';
  }
  if (direct) return direct;
  if (fileName) return secretFromFile(ref.name, fileName, problems, where);
  if (ref.fallback !== undefined) return ref.fallback;
  if (direct !== undefined) return direct;
  problems.push({
    path: where,
    message: `\${${ref.name}} is not set (set ${ref.name} or ${ref.name}_FILE, or write \${${ref.name}:-default})`,
  });
  return '';
}

function secretFromFile(name: string, file: string, problems: ConfigProblem[], where: string): string {
  const read = readSecretFile(file);
  if (read.ok) return read.value;
  problems.push({ path: where, message: `${name}_FILE=${file} ${read.reason}` });
  return '';
}
