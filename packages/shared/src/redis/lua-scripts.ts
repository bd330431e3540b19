import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

type Client = Redis | Cluster;
type Arg = string | number;
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
 * number of keys is read from the name and never drifts from the script.
 */
export function luaScripts<N extends string>(dir: string, files: Record<N, string>): LuaScripts<N> {
  const command = (name: N) => `alertgw_${name}`;
  const sources = Object.entries(files).map(([name, file]) => {
    const keys = /-(\d+)\.lua$/.exec(file as string);
    if (!keys) throw new Error(`Lua script file ${file as string} must be named <command>-<numKeys>.lua`);
    return { command: command(name as N), numberOfKeys: Number(keys[1]), lua: readFileSync(path.join(dir, file as string), 'utf8') };
  });
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
      return (redis as unknown as Callable)[command(name)](...keys, ...args) as Promise<unknown>;
    },
    queue(pipeline, name, keys, args) {
      (pipeline as unknown as Callable)[command(name)](...keys, ...args);
    },
  };
}
