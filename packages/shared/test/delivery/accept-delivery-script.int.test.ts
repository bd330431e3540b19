import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { testRedis, uniquePrefix } from '@alertgw/testkit';
import { packedScript, runPackedScript } from '../../src/delivery/accept-delivery-script';

/** A script Redis has never seen (its source names a fresh prefix), so its first call meets NOSCRIPT. */
const echo = (prefix: string) =>
  packedScript(`-- ${prefix}
local out = { #KEYS, #ARGV }
for _, k in ipairs(KEYS) do out[#out + 1] = k end
for _, a in ipairs(ARGV) do out[#out + 1] = redis.sha1hex(a) end
return out`);

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

describe('runPackedScript (EVALSHA with pre-encoded arguments)', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterAll(() => redis.quit());

  test('every argument reaches the script as exactly the bytes ioredis would send: UTF-8 strings, raw buffers, numbers, empty ones', async () => {
    const script = echo(prefix);
    const invalidUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0x80, 0x41]);
    const args = ['plain', 'café ✓ 中文 🚨', '', '$3\r\nfake', invalidUtf8, Buffer.alloc(0), 42, 17592186044416, randomBytes(5000)];
    const keys = [`{${prefix}}:a`, `{${prefix}}:é`];
    const reply = (await runPackedScript(redis, script, keys, args)) as Array<string | number>;
    const bytes = (a: string | number | Buffer) => (Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'utf8'));
    expect(reply).toEqual([keys.length, args.length, ...keys, ...args.map((a) => sha1(bytes(a)))]);
  });

  test('a script Redis does not know yet is sent once with EVAL, then runs by its SHA', async () => {
    const script = echo(prefix);
    expect(await redis.script('EXISTS', script.sha)).toEqual([0]);
    expect(await runPackedScript(redis, script, [`{${prefix}}:k`], ['x'])).toEqual([1, 1, `{${prefix}}:k`, sha1(Buffer.from('x'))]);
    expect(await redis.script('EXISTS', script.sha)).toEqual([1]);
    expect(await runPackedScript(redis, script, [`{${prefix}}:k`], ['y'])).toEqual([1, 1, `{${prefix}}:k`, sha1(Buffer.from('y'))]);
  });

  test("a script's own error rejects as it is, without a second attempt", async () => {
    const script = packedScript(`-- ${prefix}\nredis.call('INCR', KEYS[1])\nreturn redis.error_reply('NOPE ' .. ARGV[1])`);
    const key = `{${prefix}}:count`;
    await expect(runPackedScript(redis, script, [key], ['bad'])).rejects.toThrow('NOPE bad');
    expect(await redis.get(key)).toBe('1');
    await redis.del(key);
  });
});
