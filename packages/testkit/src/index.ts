import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';

export { freePort, startPrivateRedis, answersPing } from '@alertgw/shared';
export { abLabel } from './ab-label';

/** The Redis URL jest's global setup found for this run. */
export function testRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL not set: run tests through jest (global setup finds Redis)');
  return url;
}

/** A fresh ioredis client on the test Redis; close it in afterAll. */
export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 });
}

/** A random key prefix, so tests never see each other's keys. */
export function uniquePrefix(label = 't'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key that starts with `prefix` or `{prefix` (hash-tagged queue keys). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  for (const pattern of [`${prefix}*`, `{${prefix}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}


/** Real Alertmanager 0.25 deliveries ({headers, body} per file), kept in the repo for every test. */
export const AM_FIXTURES_DIR = path.resolve(__dirname, '../../shared/test/fixtures/alertmanager-0.25');

export { startRedisProcess } from './redis-process';
export type { RedisPersistence, RedisProcess } from './redis-process';

export { waitFor } from './wait-for';
export { ALERTMANAGER_BIN, startAlertmanager } from './alertmanager';
export type { TestAlertmanager, TestAlertmanagerOptions } from './alertmanager';
export { fixedKeyNames, keyLayout } from './key-layout';
export type { FixedKey, KeyBuilder } from './key-layout';
export { HOSTILE_LENGTHS, HOSTILE_STRINGS } from './hostile-strings';
export { DEFAULT_FUZZ_SEED, FuzzTally, fuzzSeed, hostileString } from './fuzz';
export { startFakeDingtalk } from './chat/fake-dingtalk';
export { startFakeFeishu } from './chat/fake-feishu';
export { startFakeWecom } from './chat/fake-wecom';
export type { FakeRobotServer, RobotRequest } from './chat/fake-robot-server';
export { captureLogs } from './capture-logs';
