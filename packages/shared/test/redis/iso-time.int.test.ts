import { readFileSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import { testRedis } from '@alertgw/testkit';
import { LUA_INCLUDES_DIR } from '../../src/redis/read-script';

describe('includes/iso-time.lua', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(() => redis.quit());

  it('writes Redis-clock times as JavaScript toISOString does (epoch, leap days, centuries, far future)', async () => {
    const lua = `${readFileSync(path.join(LUA_INCLUDES_DIR, 'iso-time.lua'), 'utf8')}
      local out = {}
      for i = 1, #ARGV do out[i] = isoTime(tonumber(ARGV[i])) end
      return out`;
    const instants = [
      0,
      951_782_400_000, // 2000-02-29
      4_107_542_399_999, // 2100-02-28T23:59:59.999
      4_107_542_400_000, // 2100-03-01 (2100 is no leap year)
      1_796_051_113_103,
      253_402_300_799_999, // 9999-12-31T23:59:59.999
      ...Array.from({ length: 50 }, (_, i) => Math.floor(((i * 7919) % 1000) * 4_102_444_800 + i * 37)),
    ];
    expect(await redis.eval(lua, 0, ...instants.map(String))).toEqual(instants.map((ms) => new Date(ms).toISOString()));
  });
});
