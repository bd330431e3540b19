import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/** The queue's Lua scripts, by command name; the file name says how many KEYS each takes. */
const SCRIPT_FILES = {
  enqueue: 'enqueue-5.lua',
  claim: 'claim-6.lua',
  extend: 'extend-2.lua',
  extendMany: 'extend-many-1.lua',
  ack: 'ack-2.lua',
  fail: 'fail-6.lua',
  release: 'release-5.lua',
  replay: 'replay-3.lua',
} as const;

/** Name of one queue script. */
export type ScriptName = keyof typeof SCRIPT_FILES;

type ScriptArg = string | number;

/** Calls a queue script by name, through EVALSHA (ioredis falls back to EVAL once per connection). */
export type ScriptCaller = (name: ScriptName, keys: string[], args: ScriptArg[]) => Promise<unknown>;

const LUA_DIR = path.join(__dirname, 'lua');

/** Registers every queue script on a connection (idempotent) so pipelines can call them too. */
export function defineQueueScripts(redis: Redis | Cluster): void {
  for (const [name, file] of Object.entries(SCRIPT_FILES)) {
    const command = commandName(name as ScriptName);
    if (typeof (redis as unknown as Record<string, unknown>)[command] === 'function') continue;
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    redis.defineCommand(command, { numberOfKeys, lua: readFileSync(path.join(LUA_DIR, file), 'utf8') });
  }
}

/** A caller bound to one connection. */
export function scriptCaller(redis: Redis | Cluster): ScriptCaller {
  defineQueueScripts(redis);
  const r = redis as unknown as Record<string, (...a: ScriptArg[]) => Promise<unknown>>;
  return (name, keys, args) => r[commandName(name)](...keys, ...args);
}

/** Queues one script call on a pipeline (the pipeline's connection must have the scripts defined). */
export function pipelineScript(pipeline: ChainableCommander, name: ScriptName, keys: string[], args: ScriptArg[]): void {
  const p = pipeline as unknown as Record<string, (...a: ScriptArg[]) => unknown>;
  p[commandName(name)](...keys, ...args);
}

function commandName(name: ScriptName): string {
  return `alertgw_${name}`;
}
