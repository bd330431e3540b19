import path from 'node:path';
import type { RedisClient } from '../queue/task-queue';
import { luaScripts } from '../redis/lua-scripts';

/** The handling scripts; the file name says how many KEYS each takes. */
const SCRIPTS = luaScripts(path.join(__dirname, 'lua'), {
  handleDelivery: 'handle-delivery-5.lua',
  ackAlert: 'ack-alert-6.lua',
  unackAlert: 'unack-alert-4.lua',
  annotateAlert: 'annotate-alert-2.lua',
  checkEscalation: 'check-escalation-4.lua',
  directoryClock: 'directory-clock-1.lua',
  putDirectory: 'put-directory-2.lua',
  endAck: 'end-ack-8.lua',
});

/** Name of one handling script. */
export type HandlingScript = Parameters<typeof SCRIPTS.run>[1];

type Arg = string | number;

/** Runs one handling script (EVALSHA, EVAL once per connection). */
export function runHandlingScript(redis: RedisClient, name: HandlingScript, keys: string[], args: Arg[]): Promise<unknown> {
  return SCRIPTS.run(redis, name, keys, args);
}
