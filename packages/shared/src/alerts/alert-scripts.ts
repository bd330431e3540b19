import path from 'node:path';
import type { RedisClient } from '../queue/task-queue';
import { luaScripts } from '../redis/lua-scripts';

/** The record store's Lua scripts; the file name says how many KEYS each takes. */
export const ALERT_SCRIPTS = luaScripts(path.join(__dirname, 'lua'), {
  upsertAlerts: 'upsert-alerts-3.lua',
  appendTimeline: 'append-timeline-2.lua',
});

/**
 * Registers the record-store scripts on a connection (idempotent), so pipelines created
 * afterwards can call them; ioredis sends EVALSHA and falls back to EVAL per connection.
 */
export function defineAlertScripts(redis: RedisClient): void {
  ALERT_SCRIPTS.define(redis);
}
