import path from 'node:path';
import { luaScripts } from '../redis/lua-scripts';

/** The record store's Lua scripts; the file name says how many KEYS each takes. */
export const ALERT_SCRIPTS = luaScripts(path.join(__dirname, 'lua'), {
  upsertAlerts: 'upsert-alerts-5.lua',
  appendTimeline: 'append-timeline-n.lua',
});
