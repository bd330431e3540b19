import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';
import { LUA_INCLUDES_DIR, readScript } from '../../src/redis/read-script';

const PACKAGES = path.resolve(__dirname, '../../..');

/** Every .lua file under the packages' src folders, includes apart. */
function luaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return ['node_modules', 'dist', 'test'].includes(e.name) ? [] : luaFiles(full);
    return e.name.endsWith('.lua') && full.includes(`${path.sep}src${path.sep}`) ? [full] : [];
  });
}

describe('the Lua scripts and their includes', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(() => redis.quit());

  test('every script composes and compiles (SCRIPT LOAD), includes and --@function scripts in', async () => {
    const scripts = luaFiles(PACKAGES).filter((f) => path.dirname(f) !== LUA_INCLUDES_DIR);
    expect(scripts.length).toBeGreaterThan(20);
    for (const file of scripts) {
      const sha = await redis.script('LOAD', readScript(file)).catch((err: Error) => {
        throw new Error(`${path.relative(PACKAGES, file)}: ${err.message}`);
      });
      expect(sha).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  test('an include only defines local functions of their arguments (hoisted to the top, it cannot see a script\'s KEYS or ARGV)', () => {
    const includes = readdirSync(LUA_INCLUDES_DIR).filter((f) => f.endsWith('.lua'));
    expect(includes.length).toBeGreaterThan(4);
    for (const name of includes) {
      const code = readFileSync(path.join(LUA_INCLUDES_DIR, name), 'utf8').replace(/--\[\[[\s\S]*?\]\]/g, '');
      expect({ name, keysOrArgv: /\b(KEYS|ARGV)\b/.test(code) }).toEqual({ name, keysOrArgv: false });
    }
  });

  test('zaddInSlices / zremInSlices take lists longer than unpack() could (2,500 members)', async () => {
    const prefix = uniquePrefix('slices');
    const key = `${prefix}:z`;
    const lua = `${readFileSync(path.join(LUA_INCLUDES_DIR, 'in-slices.lua'), 'utf8')}
      local pairs, members = {}, {}
      for i = 1, 2500 do
        pairs[#pairs + 1] = i
        pairs[#pairs + 1] = 'm' .. i
        if i % 2 == 0 then members[#members + 1] = 'm' .. i end
      end
      zaddInSlices(KEYS[1], pairs)
      local added = redis.call('ZCARD', KEYS[1])
      zremInSlices(KEYS[1], members)
      return { added, redis.call('ZCARD', KEYS[1]), redis.call('ZSCORE', KEYS[1], 'm2499') }`;
    try {
      expect(await redis.eval(lua, 1, key)).toEqual([2500, 1250, '2499']);
    } finally {
      await deleteKeys(redis, prefix);
    }
  });
});
