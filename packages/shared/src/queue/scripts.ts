import path from 'node:path';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { luaScripts, type ScriptArg } from '../redis/lua-scripts';

/** The queue's Lua scripts, by command name; the file name says how many KEYS each takes. */
const SCRIPTS = luaScripts(path.join(__dirname, 'lua'), {
  enqueue: 'enqueue-5.lua',
  claim: 'claim-6.lua',
  extend: 'extend-3.lua',
  extendMany: 'extend-many-1.lua',
  ack: 'ack-2.lua',
  fail: 'fail-6.lua',
  release: 'release-5.lua',
  replay: 'replay-3.lua',
});

/** Name of one queue script. */
export type ScriptName = Parameters<typeof SCRIPTS.run>[1];

/** Calls a queue script by name, through EVALSHA (ioredis falls back to EVAL once per connection). */
export type ScriptCaller = (name: ScriptName, keys: string[], args: ScriptArg[]) => Promise<unknown>;

/** A caller bound to one connection. */
export function scriptCaller(redis: Redis | Cluster): ScriptCaller {
  SCRIPTS.define(redis);
  return (name, keys, args) => SCRIPTS.run(redis, name, keys, args);
}

/** Queues one script call on a pipeline (the pipeline's connection must have the scripts defined). */
export function pipelineScript(pipeline: ChainableCommander, name: ScriptName, keys: string[], args: ScriptArg[]): void {
  SCRIPTS.queue(pipeline, name, keys, args);
}
