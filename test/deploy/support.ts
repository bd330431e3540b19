import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root (this file is test/deploy/support.ts). */
export const ROOT = path.resolve(__dirname, '../..');

/** A path under the repository root. */
export const repo = (...parts: string[]): string => path.join(ROOT, ...parts);

/** Parses one YAML file; merge keys (`<<: *anchor`) on, as docker compose reads them. */
export function readYaml<T = Record<string, unknown>>(file: string): T {
  return parse(readFileSync(file, 'utf8'), { merge: true }) as T;
}

/** Parses every document of a multi-document YAML file, failing on any syntax error. */
export function readYamlDocs(file: string): Array<Record<string, unknown>> {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as Record<string, unknown>;
  });
}

/**
 * Docker compose interpolation of `${VAR}`, `${VAR:-default}`, `${VAR-default}` and the required
 * `${VAR:?message}` / `${VAR?message}` with `env` (`$$` is a literal `$`). An unset VAR without a
 * default is reported in `missing` (compose warns); an unset required one in `required` with its
 * message (compose refuses to start).
 */
export function interpolate(text: string, env: Record<string, string>, missing: string[] = [], required: Array<[string, string]> = []): string {
  return text.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (m, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (m === '$$') return '$';
    const value = env[name!];
    if (op === ':-') return value ? value : (arg ?? '');
    if (op === '-') return value ?? arg ?? '';
    if (op === ':?' || op === '?') {
      if (op === ':?' ? !value : value === undefined) required.push([name!, arg ?? '']);
      return value ?? '';
    }
    if (value === undefined) missing.push(name!);
    return value ?? '';
  });
}

/** KEY=value lines of an env file (compose's .env, a Secret's source), comments and blanks skipped. */
export function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const eq = t.indexOf('=');
    env[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return env;
}

/** Files git tracks under a repository path: what a clone gets, whatever a deployer added locally. */
export function trackedFiles(under: string): string[] {
  const r = spawnSync('git', ['ls-files', '--', under], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}

/** Every string in a parsed tree, with its path, for checks that must see all of them. */
export function strings(node: unknown, at = ''): Array<[string, string]> {
  if (typeof node === 'string') return [[at, node]];
  if (Array.isArray(node)) return node.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (node && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
  return [];
}

/** The absolute path of an executable: a fixed location if it exists, else one found on PATH. */
export function findTool(name: string, fixed: string[] = []): string | null {
  for (const file of fixed) if (existsSync(file)) return file;
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/** Runs a tool and returns its exit status and combined output. */
export function runTool(file: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
