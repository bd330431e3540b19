import type Redis from 'ioredis';
import { deleteKeys, testRedis, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import IORedis from 'ioredis';
import { DirectoryStore, GatewayError, type DirectoryDoc } from '@alertgw/shared';
import { LiveValue } from '../../src/handling/live-value';
import { RedisEvents } from '../../src/handling/redis-events';

const seed = (): DirectoryDoc => ({
  users: [{ name: 'alice', email: 'alice@example.com', phone: '+8613800000001', groups: ['ops'] }],
  routes: [{ name: 'ops', matchers: ['team="ops"'], notify: ['group:ops'] }],
  mandatory: ['alice'],
});

describe('DirectoryStore (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: DirectoryStore;
  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('dirstore');
    store = new DirectoryStore(redis, prefix, ['email', 'sms']);
  });
  afterEach(() => deleteKeys(redis, prefix));
  afterAll(() => redis.quit());

  it('seeds once: the first writer wins, later seeds leave it alone', async () => {
    expect(await store.read()).toBeNull();
    expect(await store.seed(seed(), 'config')).toEqual({ seeded: true, version: 1 });
    const other = seed();
    other.users[0]!.email = 'someone@example.com';
    expect(await store.seed(other, 'config')).toEqual({ seeded: false, version: 1 });
    expect((await store.read())!.doc.users[0]!.email).toBe('alice@example.com');
  });

  it('applies concurrent changes without losing any (compare-and-set, retried)', async () => {
    await store.seed(seed(), 'config');
    const names = Array.from({ length: 8 }, (_, i) => `user${i}`);
    await Promise.all(names.map((name) => store.update('test', (doc) => void doc.users.push({ name, email: `${name}@example.com`, groups: [] }))));
    const stored = (await store.read())!;
    expect(stored.version).toBe(1 + names.length);
    expect(stored.doc.users.map((u) => u.name).sort()).toEqual(['alice', ...names].sort());
  });

  it('refuses an invalid result whole, with every problem, and keeps the stored version', async () => {
    await store.seed(seed(), 'config');
    let error: GatewayError | undefined;
    try {
      await store.update('test', (doc) => {
        doc.users.push({ name: 'bob', phone: '12345', groups: [] });
        doc.routes[0]!.matchers = ['team=~"("'];
      });
    } catch (err) {
      error = err as GatewayError;
    }
    expect(error?.code).toBe('BAD_REQUEST');
    const problems = (error!.details!.problems as Array<{ text: string }>).map((p) => p.text);
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^user "bob": phone: must be E\.164/), expect.stringMatching(/^route "ops": matchers\[0\]: invalid matcher/)]),
    );
    expect(error!.message).not.toContain('12345');
    expect(await store.version()).toBe(1);
  });

  it('a live copy follows changes through pub/sub, and through the version poll when pub/sub is missing', async () => {
    await store.seed(seed(), 'config');
    const subscriber = new IORedis(testRedisUrl());
    const events = new RedisEvents(subscriber);
    const load = async () => ({ version: await store.version(), value: (await store.read())!.doc });
    const viaPubSub = new LiveValue({ name: 'a', load, version: () => store.version(), events, channel: store.keys.events, pollMs: 60_000 });
    const viaPoll = new LiveValue({ name: 'b', load, version: () => store.version(), channel: store.keys.events, pollMs: 100 });
    await viaPubSub.start();
    await viaPoll.start();
    try {
      const changedAt = Date.now();
      const { version } = await store.update('test', (doc) => void (doc.mandatory = ['group:ops']));
      await waitFor(() => viaPubSub.version === version, 1000, 'the pub/sub copy');
      const pubSubMs = Date.now() - changedAt;
      await waitFor(() => viaPoll.version === version, 1000, 'the polling copy');
      expect(viaPubSub.value.mandatory).toEqual(['group:ops']);
      expect(viaPoll.value.mandatory).toEqual(['group:ops']);
      expect(pubSubMs).toBeLessThan(1000);
    } finally {
      viaPubSub.stop();
      viaPoll.stop();
      await events.close();
    }
  });

  it('a failed reload keeps the value in force, and the next poll catches up', async () => {
    await store.seed(seed(), 'config');
    let fail = false;
    const live = new LiveValue({
      name: 'flaky',
      load: async () => {
        if (fail) throw new Error('Redis is away');
        return { version: await store.version(), value: (await store.read())!.doc };
      },
      version: () => store.version(),
      channel: store.keys.events,
      pollMs: 50,
    });
    await live.start();
    try {
      fail = true;
      await store.update('test', (doc) => void (doc.mandatory = []));
      await expect(live.refresh()).rejects.toThrow('Redis is away');
      expect(live.version).toBe(1);
      expect(live.value.mandatory).toEqual(['alice']);
      fail = false;
      await waitFor(() => live.version === 2, 1000, 'the poll to reload');
    } finally {
      live.stop();
    }
  });
});
