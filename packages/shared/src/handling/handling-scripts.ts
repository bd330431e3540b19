import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../queue/task-queue';

/** The handling scripts; the file name says how many KEYS each takes. */
const SCRIPT_FILES = {
  handleDelivery: 'handle-delivery-5.lua',
  ackAlert: 'ack-alert-7.lua',
  unackAlert: 'unack-alert-4.lua',
  annotateAlert: 'annotate-alert-2.lua',
  claimEscalations: 'claim-escalations-3.lua',
  completeEscalation: 'complete-escalation-4.lua',
  claimDue: 'claim-due-1.lua',
  putDirectory: 'put-directory-2.lua',
  endAck: 'end-ack-8.lua',
} as const;

/** Name of one handling script. */
export type HandlingScript = keyof typeof SCRIPT_FILES;

type Arg = string | number;
const LUA_DIR = path.join(__dirname, 'lua');

/** Registers the handling scripts on a connection (idempotent), so its pipelines can call them too. */
export function defineHandlingScripts(redis: RedisClient): void {
  for (const [name, file] of Object.entries(SCRIPT_FILES)) {
    const command = `alertgw_${name}`;
    if (typeof (redis as unknown as Record<string, unknown>)[command] === 'function') continue;
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    redis.defineCommand(command, { numberOfKeys, lua: readFileSync(path.join(LUA_DIR, file), 'utf8') });
  }
}

/** Runs one handling script (EVALSHA, EVAL once per connection). */
export function runHandlingScript(redis: RedisClient, name: HandlingScript, keys: string[], args: Arg[]): Promise<unknown> {
  defineHandlingScripts(redis);
  return (redis as unknown as Record<string, (...a: Arg[]) => Promise<unknown>>)[`alertgw_${name}`](...keys, ...args);
}

/** Queues one handling script on a pipeline whose connection ran defineHandlingScripts first. */
export function pipelineHandlingScript(pipeline: ChainableCommander, name: HandlingScript, keys: string[], args: Arg[]): void {
  (pipeline as unknown as Record<string, (...a: Arg[]) => unknown>)[`alertgw_${name}`](...keys, ...args);
}
