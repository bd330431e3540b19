import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import winston from 'winston';
import { TaskQueue } from '../../src/queue/task-queue';
import type { ChannelHandler } from '../../src/queue/types';
import { startRedisProcess, uniquePrefix, waitFor, type RedisProcess } from '@alertgw/testkit';
import { Worker } from '../../src/worker/worker';

type Payload = { recipients: Array<{ name: string; address: string; rules: string[] }> };

describe('Worker when Redis crashes between the send and the ack', () => {
  let dir: string;
  let redisProc: RedisProcess;
  let redis: Redis;
  let worker: Worker<Payload> | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-worker-restart-'));
    // AOF always: the lock the claim took is still there after the restart, as in production.
    redisProc = await startRedisProcess({ dir, appendfsync: 'always' });
    // The services' options (connectRedis): a command waits for at most 3 reconnect attempts.
    redis = new Redis(redisProc.url, { maxRetriesPerRequest: 3 });
    redis.on('error', () => undefined);
  });
  afterAll(async () => {
    await worker?.close(1000);
    redis.disconnect();
    await redisProc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps writing the ack while the lease lasts: the message is not sent a second time', async () => {
    const queue = new TaskQueue<Payload>({ redis, prefix: uniquePrefix('wr'), name: 'email', leaseMs: 5000, backoff: { baseMs: 10, maxMs: 50 } });
    const { id } = await queue.enqueue({ payload: { recipients: [{ name: 'a', address: 'a@x', rules: [] }] }, severityRank: 0 });
    let sends = 0;
    const handler: ChannelHandler<Payload> = {
      async send(_task, pending) {
        sends++;
        // The provider said OK; Redis dies before the ack can be written.
        if (sends === 1) await redisProc.stop();
        return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at: new Date().toISOString() }])) };
      },
    };
    // Redis comes back once the worker said its first write failed: longer than ioredis' own retries.
    const logged: string[] = [];
    const logger = winston.createLogger({
      transports: [
        new winston.transports.Stream({
          stream: new Writable({
            write(chunk: Buffer, _enc, done) {
              logged.push(chunk.toString());
              done();
            },
          }),
        }),
      ],
      format: winston.format.json(),
    });
    worker = new Worker({ queue, handler, logger });
    worker.start();
    await waitFor(() => logged.some((l) => l.includes('could not write task outcome')), 10_000, 'the first failed ack');
    await redisProc.start();

    await waitFor(async () => (await queue.get(id))?.status === 'completed', 10_000, 'completion');
    const task = (await queue.get(id))!;
    expect({ sends, attempts: task.attempts, owner: task.owner }).toEqual({ sends: 1, attempts: 1, owner: worker.id });
    expect(logged.filter((l) => l.includes('settle refused'))).toEqual([]);
  });
});
