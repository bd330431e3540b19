import { PassThrough } from 'node:stream';
import Redis from 'ioredis';
import { channelQueue, createChannelWorker, createLogger, type ClaimedTask, type NotificationPayload, type TaskQueue, type Worker } from '@alertgw/shared';
import { testRedisUrl } from '@alertgw/testkit';
import type { Ingest } from './harness';

/** One send a replica made: the task as its channel got it (recipients resolved), and when (ms epoch). */
export interface Sent {
  task: ClaimedTask<NotificationPayload>;
  at: number;
}

/** A notifier replica in this process: the kit's channel Worker on a real queue, its send() recording. */
export interface ChannelReplica {
  queue: TaskQueue<NotificationPayload>;
  worker: Worker<NotificationPayload>;
  sent: Sent[];
  logs(): Array<Record<string, unknown>>;
  /** Stops the Worker (as SIGTERM would) and its connection. */
  close(): Promise<void>;
}

/**
 * Starts a replica of notifier-`channel` for `ingest`'s deployment: the same Worker, gate
 * (send-time recipients, preconditions) and timeline recording as runChannelService, with a
 * send() that records instead of calling a provider. `send` replaces the recorder's answer
 * (e.g. one that never returns, to play a replica that dies mid-send). A connection of its own,
 * so a test can cut it.
 */
export function startChannelReplica(
  ingest: Ingest,
  opts: { channel?: string; send?: (task: ClaimedTask<NotificationPayload>, signal: AbortSignal) => Promise<void> } = {},
): ChannelReplica & { redis: Redis } {
  const channel = opts.channel ?? 'sms';
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const queue = channelQueue<NotificationPayload>(redis, ingest.config, channel);
  const sent: Sent[] = [];
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const worker = createChannelWorker<NotificationPayload>({
    name: channel,
    config: ingest.config,
    redis,
    queue,
    concurrency: 4,
    logger: createLogger({ service: `notifier-${channel}-test`, level: 'info', stream }),
    blockTimeoutMs: 200,
    handler: {
      async send(task, pending, signal) {
        if (opts.send) await opts.send(task, signal);
        sent.push({ task, at: Date.now() });
        const at = new Date().toISOString();
        return { results: Object.fromEntries(pending.map((a) => [a, { status: 'delivered' as const, at }])) };
      },
    },
  });
  worker.start();
  return {
    redis,
    queue,
    worker,
    sent,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    async close() {
      await worker.close(1000);
      redis.disconnect();
    },
  };
}
