import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CliError, EXIT, type CliContext } from './command';

/**
 * Reads one directory entry (a route, a schedule) from a YAML or JSON file for `<noun> set
 * <name> --file`; the file may leave the name out, but must not name another entry.
 */
export function readEntryFile(ctx: CliContext, file: string, noun: string, name: string, example: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path.resolve(ctx.cwd, file), 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new CliError(`${file} must hold one ${noun} (a map with ${example}…)`, EXIT.usage);
  const fromFile = parsed as Record<string, unknown>;
  if (fromFile.name !== undefined && fromFile.name !== name) throw new CliError(`${file} names ${noun} "${String(fromFile.name)}", not "${name}"`, EXIT.usage);
  return { ...fromFile, name };
}
