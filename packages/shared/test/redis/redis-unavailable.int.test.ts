import IORedis, { ReplyError } from 'ioredis';
import type Redis from 'ioredis';
import { GatewayError } from '../../src/errors';
import { isRedisUnavailable } from '../../src/redis/redis-unavailable';
import { deleteKeys, freePort, startRedisProcess, testRedis, uniquePrefix } from '@alertgw/testkit';

/** The error a command really fails with. */
async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('the command succeeded');
}

describe('isRedisUnavailable', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(() => {
    redis = testRedis();
    prefix = uniquePrefix('unavail');
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('is false for replies that would come back the same on every retry (WRONGTYPE, a script error)', async () => {
    await redis.hset(`${prefix}:h`, 'f', '1');
    const wrongType = await failure(() => redis.zadd(`${prefix}:h`, 1, 'm'));
    const inScript = await failure(() => redis.eval("return redis.call('ZADD', KEYS[1], 1, 'm')", 1, `${prefix}:h`));
    const luaError = await failure(() => redis.eval("error('boom')", 0));
    for (const err of [wrongType, inScript, luaError]) {
      expect((err as Error).name).toBe('ReplyError');
      expect(`${(err as Error).message} ${isRedisUnavailable(err)}`).toBe(`${(err as Error).message} false`);
    }
  });

  it('is true when Redis cannot be reached', async () => {
    const port = await freePort();
    const down = new IORedis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    down.on('error', () => {});
    const err = await failure(() => down.connect());
    down.disconnect();
    expect(isRedisUnavailable(err)).toBe(true);
    const offline = new IORedis({ host: '127.0.0.1', port, enableOfflineQueue: false, lazyConnect: true });
    offline.on('error', () => {});
    expect(isRedisUnavailable(await failure(() => offline.get('k')))).toBe(true);
    offline.disconnect();
  });

  it('is true for a pipeline cut off by a closed connection (ioredis aborts its unanswered commands)', async () => {
    // A private server: the connection is closed from the server side, mid-pipeline.
    const server = await startRedisProcess();
    const client = new IORedis(server.url);
    client.on('error', () => {});
    try {
      const id = await client.client('ID');
      // CLIENT KILL of itself: Redis answers it, then closes, so GET after it is never answered.
      const replies = await client.pipeline().ping().client('KILL', 'ID', String(id), 'SKIPME', 'no').get('k').exec();
      const err = replies?.[2]?.[0];
      expect(err).toBeInstanceOf(Error);
      expect(`${(err as Error).name}: ${(err as Error).message} ${isRedisUnavailable(err)}`).toMatch(/^AbortError: .* true$/);
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('is true for the server states that pass (reply texts as Redis sends them)', () => {
    for (const text of [
      'LOADING Redis is loading the dataset in memory',
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
      "READONLY You can't write against a read only replica.",
      'CLUSTERDOWN The cluster is down',
      "OOM command not allowed when used memory > 'maxmemory'.",
    ]) {
      expect(`${text} ${isRedisUnavailable(new ReplyError(text))}`).toBe(`${text} true`);
    }
    expect(isRedisUnavailable(new GatewayError('REDIS_UNAVAILABLE', 'x'))).toBe(true);
    expect(isRedisUnavailable(new GatewayError('REDIS_REJECTED', 'x'))).toBe(false);
    expect(isRedisUnavailable(new Error('something else'))).toBe(false);
  });
});
