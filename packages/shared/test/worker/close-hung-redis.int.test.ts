import net from 'node:net';
import Redis from 'ioredis';
import { TaskQueue } from '../../src/queue/task-queue';
import type { ChannelHandler } from '../../src/queue/types';
import { quitRedis } from '../../src/redis/quit-redis';
import { waitFor } from '@alertgw/testkit';
import { Worker } from '../../src/worker/worker';

/**
 * A hung Redis (a dropped route: connects succeed, nothing is ever answered) must not hang a
 * shutdown: QUIT and a claim in flight are never answered, so every wait on them is bounded.
 */
describe('closing against a Redis that never answers', () => {
  let hole: net.Server;
  let port: number;
  const sockets = new Set<net.Socket>();
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3 });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    // Accepts, reads and drops everything: the black hole.
    hole = net.createServer((s) => {
      sockets.add(s);
      s.on('data', () => undefined);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    port = (hole.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    // A second disconnect() of an ended client would start a timer that waits for a close already past.
    for (const c of clients) if (c.status !== 'end') c.disconnect();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => hole.close(() => resolve()));
  });

  it('quitRedis gives up on QUIT after its timeout and drops the connection', async () => {
    const client = connect();
    await new Promise((resolve) => client.once('connect', resolve));
    const started = Date.now();
    await quitRedis(client, 300);
    expect(Date.now() - started).toBeLessThan(1500);
    await waitFor(() => client.status === 'end', 2000, 'the connection to be dropped');
  });

  it('Worker.close() returns although its claim is never answered', async () => {
    const queue = new TaskQueue({ redis: connect(), prefix: 'hung', name: 'email' });
    const sent: string[] = [];
    const handler: ChannelHandler<unknown> = {
      async send(task) {
        sent.push(task.id);
        return { results: {} };
      },
    };
    const worker = new Worker({ queue, handler });
    worker.start();
    // The claim is on the wire (the hole swallowed it) before close() starts.
    await new Promise((resolve) => queue.redis.once('connect', resolve));
    const started = Date.now();
    await worker.close(5_000);
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(sent).toEqual([]);
  });
});
