import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The one folder every `--@include "includes/<name>.lua"` is read from, whichever package's script asks. */
export const LUA_INCLUDES_DIR = path.join(__dirname, 'lua', 'includes');

const INCLUDE = /^--@include "includes\/([a-z0-9-]+\.lua)"$/;
const FUNCTION = /^--@function (\w+) = (\S+)$/;
const DIRECTIVE = /^--@/;

/**
 * A script's source, composed as BullMQ composes its commands:
 * - `--@include "includes/<name>.lua"` pulls in a fragment (local functions only) from
 *   LUA_INCLUDES_DIR. Fragments go first, in dependency order, each once however many times
 *   it is asked for, directly, through another fragment or through a `--@function` script.
 * - `--@function <name> = <path>` wraps a whole script (path relative to this file) as
 *   `local function <name>(KEYS, ARGV)`, so a script that must do in one atomic step what
 *   others do apart calls them instead of holding a copy of them.
 * A missing file, a cycle or an unknown directive is an error naming the file, at load time.
 */
export function readScript(file: string, includesDir: string = LUA_INCLUDES_DIR): string {
  const fragments = new Map<string, string>();
  const pending: string[] = [];

  const include = (name: string, from: string): void => {
    if (fragments.has(name)) return;
    if (pending.includes(name)) throw new Error(`Lua include cycle: ${[...pending, name].join(' -> ')}`);
    const full = path.join(includesDir, name);
    if (!existsSync(full)) throw new Error(`${from}: --@include "includes/${name}": no such file ${full}`);
    pending.push(name);
    const body = expand(full, `includes/${name}`, false);
    pending.pop();
    fragments.set(name, body);
  };

  function expand(full: string, label: string, functions: boolean): string {
    const lines = readFileSync(full, 'utf8').split('\n').map((line) => {
      if (!DIRECTIVE.test(line)) return line;
      const inc = INCLUDE.exec(line);
      if (inc) {
        include(inc[1], label);
        return '';
      }
      const fn = FUNCTION.exec(line);
      if (!fn) throw new Error(`${label}: unknown directive ${JSON.stringify(line)} (use --@include "includes/<name>.lua" or --@function <name> = <path>)`);
      if (!functions) throw new Error(`${label}: only a top-level script may use --@function`);
      const target = path.join(path.dirname(full), fn[2]);
      if (!existsSync(target)) throw new Error(`${label}: --@function ${fn[1]} = ${fn[2]}: no such file ${target}`);
      return `local function ${fn[1]}(KEYS, ARGV)\n${expand(target, fn[2], false)}\nend`;
    });
    return lines.join('\n');
  }

  const main = expand(file, path.basename(file), true);
  return [...fragments.values(), main].join('\n');
}
