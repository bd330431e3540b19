import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { answersPing, locateRedis, startPrivateRedis } from '../../src/redis/locate-redis';

describe('locating Redis', () => {
  it('takes REDIS_URL first, without probing anything', async () => {
    const found = await locateRedis({ env: { REDIS_URL: 'redis://example.invalid:1' } });
    expect(found).toMatchObject({ url: 'redis://example.invalid:1', source: 'env' });
  });

  it('uses 127.0.0.1:6379 when it answers, else starts a private redis-server', async () => {
    const found = await locateRedis({ env: {}, allowContainer: false });
    try {
      if (await answersPing('127.0.0.1', 6379)) expect(found).toMatchObject({ url: 'redis://127.0.0.1:6379', source: 'default' });
      else expect(found.source).toBe('private');
      const { hostname, port } = new URL(found.url);
      expect(await answersPing(hostname, Number(port))).toBe(true);
    } finally {
      await found.stop();
    }
  });

  it('starts a private redis-server with AOF in the data directory, and stops it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alertgw-redis-'));
    const priv = await startPrivateRedis(dir);
    try {
      const client = new Redis(priv.url);
      await client.set('k', 'v');
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      await client.quit();
      expect(readdirSync(dir).some((f) => f.startsWith('appendonly'))).toBe(true);
    } finally {
      await priv.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await answersPing('127.0.0.1', Number(new URL(priv.url).port))).toBe(false);
  });
});
