import path from 'node:path';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { readScript } from './read-script';

type Client = Redis | Cluster;
/** One script argument. Buffers go out as they are: ingest passes slices of the body it received. */
export type ScriptArg = string | number | Buffer;
type Arg = ScriptArg;
/** A script call's KEYS and ARGV, built by one module and run by another (inside a larger script). */
export type ScriptCall = [keys: string[], args: ScriptArg[]];
type Callable = Record<string, (...args: Arg[]) => unknown>;

/** One folder of Lua scripts registered as ioredis commands; call, or queue on a pipeline, by name. */
export interface LuaScripts<N extends string> {
  /** Registers every script on a connection (idempotent), so its pipelines can call them too. */
  define(redis: Client): void;
  /** Runs a script (EVALSHA; ioredis falls back to EVAL once per connection). */
  run(redis: Client, name: N, keys: string[], args: Arg[]): Promise<unknown>;
  /** Queues a script on a pipeline whose connection ran define() first. */
  queue(pipeline: ChainableCommander, name: N, keys: string[], args: Arg[]): void;
  /** The ioredis command name of a script (`alertgw_<name>`). */
  command(name: N): string;
}

/**
 * Loads the scripts `files` (name → file in `dir`) once. As in BullMQ, a file is named
 * `<command>-<numKeys>.lua` and opens with a header listing KEYS, ARGV and the reply, so the
 * number of keys is read from the name and never drifts from the script. A script whose keys
 * vary per call is named `<command>-n.lua`: it gets as many KEYS as the call passes. Sources
 * are composed by readScript (`--@include`, `--@function`).
 */
export function luaScripts<N extends string>(dir: string, files: Record<N, string>): LuaScripts<N> {
  const command = (name: N) => `alertgw_${name}`;
  const sources = Object.entries(files).map(([name, file]) => {
    const keys = /-(\d+|n)\.lua$/.exec(file as string);
    if (!keys) throw new Error(`Lua script file ${file as string} must be named <command>-<numKeys>.lua or <command>-n.lua`);
    const numberOfKeys = keys[1] === 'n' ? undefined : Number(keys[1]);
    return { command: command(name as N), numberOfKeys, lua: readScript(path.join(dir, file as string)) };
  });
  const variableKeys = new Set(sources.filter((s) => s.numberOfKeys === undefined).map((s) => s.command));
  // ioredis takes the key count as the first argument of a command defined without one.
  const callArgs = (name: N, keys: string[], args: Arg[]): Arg[] =>
    variableKeys.has(command(name)) ? [keys.length, ...keys, ...args] : [...keys, ...args];
  const define = (redis: Client) => {
    for (const s of sources) {
      if (typeof (redis as unknown as Callable)[s.command] !== 'function') redis.defineCommand(s.command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
    }
  };
  return {
    define,
    command,
    run(redis, name, keys, args) {
      define(redis);
      return (redis as unknown as Callable)[command(name)](...callArgs(name, keys, args)) as Promise<unknown>;
    },
    queue(pipeline, name, keys, args) {
      (pipeline as unknown as Callable)[command(name)](...callArgs(name, keys, args));
    },
  };
}
