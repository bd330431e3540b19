import type Redis from 'ioredis';
import { buildConfig } from '@alertgw/shared';
import { testRedis } from '@alertgw/testkit';
import { createHandlingQueue, HANDLING_COMPLETED_RETENTION_MS } from '../../src/handling/handling-task';

describe('the handling queue', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('keeps finished tasks at most an hour (a recurring sweep finishes one per slot), never longer than the channels do', () => {
    const defaults = buildConfig({}, {});
    expect(defaults.queue.retention.completedMs).toBeGreaterThan(HANDLING_COMPLETED_RETENTION_MS);
    expect(createHandlingQueue(redis, defaults).retention).toEqual({ ...defaults.queue.retention, completedMs: HANDLING_COMPLETED_RETENTION_MS });
    const short = buildConfig({ queue: { retention: { completedMs: 600_000 } } }, {});
    expect(createHandlingQueue(redis, short).retention.completedMs).toBe(600_000);
  });
});
