import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../queue/task-queue';

/** The record store's Lua scripts; the file name says how many KEYS each takes. */
const SCRIPT_FILES = {
  alertgw_upsertAlerts: 'upsert-alerts-3.lua',
  alertgw_appendTimeline: 'append-timeline-2.lua',
} as const;

/** Name of a record-store script command on a connection (and its pipelines). */
export type AlertScriptName = keyof typeof SCRIPT_FILES;

const LUA_DIR = path.join(__dirname, 'lua');

/**
 * Registers the record-store scripts on a connection (idempotent), so pipelines created
 * afterwards can call them; ioredis sends EVALSHA and falls back to EVAL per connection.
 */
export function defineAlertScripts(redis: RedisClient): void {
  for (const [name, file] of Object.entries(SCRIPT_FILES)) {
    if (typeof (redis as unknown as Record<string, unknown>)[name] === 'function') continue;
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)![1]);
    redis.defineCommand(name, { numberOfKeys, lua: readFileSync(path.join(LUA_DIR, file), 'utf8') });
  }
}
