// Jest loads global setup outside its module map, where @alertgw/shared would be the compiled dist: the
// source is imported directly so that tests need no build to find Redis.
import { locateRedis } from '../../shared/src/redis/locate-redis';

/** Jest global setup: find (or start) one Redis for every test file and hand its URL over via env. */
export default async function globalSetup(): Promise<void> {
  const redis = await locateRedis({ allowContainer: true });
  process.env.REDIS_URL = redis.url;
  (globalThis as { __alertgwRedis?: typeof redis }).__alertgwRedis = redis;
}
