import { locateRedis } from '../redis/locate-redis';

/** Jest global setup: find (or start) one Redis for every test file and hand its URL over via env. */
export default async function globalSetup(): Promise<void> {
  const redis = await locateRedis({ allowContainer: true });
  process.env.REDIS_URL = redis.url;
  (globalThis as { __alertgwRedis?: typeof redis }).__alertgwRedis = redis;
}
