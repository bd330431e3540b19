import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { GatewayError } from '../errors';
import { buildConfig, configInvalid } from './build-config';
import type { GatewayConfig } from './types';

/** Where config.example.yaml sits: the repo root, four levels above src/config and dist/config. */
export const EXAMPLE_CONFIG_PATH = path.resolve(__dirname, '../../../../config.example.yaml');

/** Where loadConfig looks; every field defaults to the running process. */
export interface LoadConfigOptions {
  argv?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Picks the config file: `--config <path>` / `--config=<path>`, else $CONFIG, else
 * ./config.yaml when it exists, else the repo's config.example.yaml (a fresh clone starts).
 */
export function resolveConfigPath(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): string {
  let fromArgs: string | undefined;
  argv.forEach((arg, i) => {
    if (arg.startsWith('--config=')) fromArgs = arg.slice('--config='.length);
    else if (arg === '--config') {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new GatewayError('CONFIG_INVALID', '--config needs a path: --config <path> or --config=<path>');
      }
      fromArgs = next;
    }
  });
  if (fromArgs === '') throw new GatewayError('CONFIG_INVALID', '--config needs a path: --config <path> or --config=<path>');
  const chosen = fromArgs ?? (env.CONFIG || undefined);
  if (chosen !== undefined) return path.resolve(cwd, chosen);
  const local = path.resolve(cwd, 'config.yaml');
  return existsSync(local) ? local : EXAMPLE_CONFIG_PATH;
}

/** Reads one YAML file into a plain tree, listing every syntax error with line and column. */
function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new GatewayError('CONFIG_INVALID', `cannot read config file ${file} (${code})`, { cause: err });
  }
  // prettyErrors off: the pretty form quotes the source line, which may hold a secret.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw configInvalid(
      doc.errors.map((e) => {
        const at = lineCounter.linePos(e.pos[0]);
        return { path: `line ${at.line}, column ${at.col}`, message: e.message };
      }),
      file,
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias bomb (aliases of aliases expanding past maxAliasCount) fails only here, not in parsing.
    throw configInvalid([{ path: 'file', message: `cannot expand the YAML: ${(err as Error).message}` }], file);
  }
}

/**
 * Finds, reads and validates the configuration (see resolveConfigPath and buildConfig).
 * Throws GatewayError CONFIG_INVALID listing every problem; the process must not start then.
 */
export function loadConfig(opts: LoadConfigOptions = {}): { config: GatewayConfig; path: string } {
  const env = opts.env ?? process.env;
  const file = resolveConfigPath(opts.argv ?? process.argv.slice(2), env, opts.cwd ?? process.cwd());
  return { config: buildConfig(readYaml(file), env, file), path: file };
}
