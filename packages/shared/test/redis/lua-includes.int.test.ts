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

  test('no block comment nests [[ (the Lua bundled with upstream Redis, e.g. the redis:7.4-alpine image, refuses to compile it; Debian\'s accepts it)', () => {
    const scripts = luaFiles(PACKAGES).filter((f) => path.dirname(f) !== LUA_INCLUDES_DIR);
    for (const file of scripts) {
      const nested = [...readScript(file).matchAll(/--\[\[([\s\S]*?)\]\]/g)].filter((m) => m[1].includes('[['));
      expect({ file: path.relative(PACKAGES, file), nested: nested.map((m) => m[0].slice(0, 80)) }).toEqual({ file: path.relative(PACKAGES, file), nested: [] });
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

  test('isoFromMs prints what Date#toISOString prints (leap days, centuries, year ends), and nowIso is Redis time', async () => {
    const samples = [0, 1, 999, 86_399_999, 951_782_400_000, 951_868_799_999, 4_107_542_399_999, 1_709_164_800_123, 1_798_761_599_999, Date.UTC(2026, 10, 30, 14, 59, 1, 7)];
    for (let i = 0; i < 200; i++) samples.push(Math.floor(Math.random() * 8_000_000_000_000));
    const dir = await import('node:os').then((os) => os.tmpdir());
    const file = path.join(dir, `iso-probe-${process.pid}.lua`);
    (await import('node:fs')).writeFileSync(file, `--@include "includes/now-iso.lua"\nlocal out = {}\nfor i = 1, #ARGV do out[i] = isoFromMs(tonumber(ARGV[i])) end\nout[#out + 1] = nowIso()\nreturn out`);
    const before = Date.now();
    const script = readScript(file);
    (await import('node:fs')).rmSync(file);
    const reply = (await redis.eval(script, 0, ...samples.map(String))) as string[];
    const after = Date.now();
    expect(reply.slice(0, -1)).toEqual(samples.map((ms) => new Date(ms).toISOString()));
    const now = Date.parse(reply[reply.length - 1]!);
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(after + 1000);
  });
});
