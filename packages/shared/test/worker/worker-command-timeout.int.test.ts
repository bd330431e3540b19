import Redis from 'ioredis';
import { captureLogs, deleteKeys, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import { TaskQueue } from '../../src/queue/task-queue';
import type { ChannelHandler } from '../../src/queue/types';
import { Worker } from '../../src/worker/worker';

type Payload = { recipients: Array<{ name: string; address: string; rules: string[] }> };

// Ingest's Redis client has a 2 s command timeout, and the handling Worker's blocking connection
// is a duplicate of it: a wait longer than the timeout failed with "Command timed out" and a
// warning every 2.5 s, for ever, on an idle deployment. The Worker waits within the timeout.
describe('Worker on a client with a command timeout', () => {
  it('waits idle for a delayed task without a failed blocking wait', async () => {
    const redis = new Redis(testRedisUrl(), { commandTimeout: 400 });
    const prefix = uniquePrefix('wcto');
    const logs = captureLogs();
    const queue = new TaskQueue<Payload>({ redis, prefix, name: 'handling' });
    const sent: string[] = [];
    const handler: ChannelHandler<Payload> = {
      async send(task, pending) {
        sent.push(task.id);
        return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at: new Date().toISOString() }])) };
      },
    };
    // The default idle wait (5 s) is far longer than the timeout.
    const worker = new Worker<Payload>({ queue, handler, concurrency: 1, logger: logs.logger });
    try {
      worker.start();
      // Due in 1.5 s: the Worker blocks (several times, each within the timeout) until then.
      const { id } = await queue.enqueue({ payload: { recipients: [{ name: 'a', address: 'a@x', rules: [] }] }, severityRank: 0, delayMs: 1500 });
      await waitFor(() => sent.includes(id), 10_000, 'the delayed task');
      expect(logs.lines.filter((l) => l.includes('blocking wait'))).toEqual([]);
    } finally {
      await worker.close(1000);
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
