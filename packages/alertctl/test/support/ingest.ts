import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import { buildConfig, createLogger, createResolver, TaskQueue, type NotificationPayload } from '@alertgw/shared';
import { deleteKeys, testRedis, testRedisUrl } from '@alertgw/testkit';
import { createApp } from '../../../ingest/src/app';
import { ingestRedisOptions } from '../../../ingest/src/redis-options';
import { cliSetup, TEST_TOKEN, testConfigTree, type CliSetup } from './cli';

/** A real ingest app on a free loopback port, sharing the key prefix of a CLI setup. */
export interface TestIngest {
  url: string;
  queues: Map<string, TaskQueue<NotificationPayload>>;
  close(): Promise<void>;
}

/** Starts ingest in-process with the alertctl test config (bearer token TEST_TOKEN). */
export async function startIngest(prefix: string): Promise<TestIngest> {
  const config = buildConfig(testConfigTree(prefix), { INGEST_TOKEN: TEST_TOKEN });
  const redis = new Redis(testRedisUrl(), ingestRedisOptions());
  redis.on('error', () => {});
  await once(redis, 'ready');
  const channels = Object.keys(config.channels);
  const queues = new Map(channels.map((name) => [name, new TaskQueue<NotificationPayload>({ redis, prefix, name })]));
  const silent = new Writable({ write: (_c, _e, done) => done() });
  const logger = createLogger({ service: 'ingest-test', level: 'error', stream: silent });
  const { app } = createApp({ config, redis, queues, resolver: createResolver(config, channels), logger });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queues,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await redis.quit();
    },
  };
}

/** A CLI setup with an in-process ingest on its key prefix, fresh for every test, and a Redis client for checks. */
export interface CliWithIngest {
  redis: Redis;
  setup: CliSetup;
  ingest: TestIngest;
}

/** Registers the jest hooks that give each test of the calling `describe` a fresh CliWithIngest, and cleans up after it. */
export function useCliWithIngest(): CliWithIngest {
  const t = {} as CliWithIngest;
  beforeAll(() => {
    t.redis = testRedis();
  });
  beforeEach(async () => {
    t.setup = cliSetup();
    t.ingest = await startIngest(t.setup.prefix);
  });
  afterEach(async () => {
    await t.ingest.close();
    await deleteKeys(t.redis, t.setup.prefix);
    t.setup.cleanup();
  });
  afterAll(() => t.redis.quit());
  return t;
}
