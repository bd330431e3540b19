import type Redis from 'ioredis';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';
import { DirectoryStore } from '../../src/handling/directory-store';
import { createDirectory } from '../../src/resolver/directory';
import { SendTimeDirectory } from '../../src/service/send-time-directory';

describe('SendTimeDirectory', () => {
  let redis: Redis;
  const prefix = uniquePrefix('sendtime');
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('uses the config\'s users until Redis has a directory, then the stored one, read again only when its version moves', async () => {
    const store = new DirectoryStore(redis, prefix, ['email', 'sms']);
    let reads = 0;
    const read = store.read.bind(store);
    store.read = async () => (reads++, read());
    const live = new SendTimeDirectory(redis, store, createDirectory([{ name: 'from-config', phone: '+8613800000001', groups: [] }]));

    const before = await live.now();
    expect(before.directory.user('from-config')).toBeDefined();
    expect(Math.abs(before.atMs - Date.now())).toBeLessThan(5000);
    expect(reads).toBe(0);

    await store.seed({ users: [{ name: 'boss', phone: '+8613800000009', groups: [] }], routes: [], mandatory: [] }, 'test');
    expect((await live.now()).directory.user('boss')?.phone).toBe('+8613800000009');
    expect((await live.now()).directory.user('boss')?.phone).toBe('+8613800000009');
    expect(reads).toBe(1);

    await store.update('test', (doc) => (doc.users[0]!.phone = '+8613800000010'));
    reads = 0;
    expect((await live.now()).directory.user('boss')?.phone).toBe('+8613800000010');
    expect((await live.now()).directory.user('boss')?.phone).toBe('+8613800000010');
    expect(reads).toBe(1);
  });
});
