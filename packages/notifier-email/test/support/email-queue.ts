import type Redis from 'ioredis';
import { TaskQueue, Worker, type Logger, type NotificationPayload, type TaskRecord } from '@alertgw/shared';
import { waitFor } from '@alertgw/testkit';
import { createEmailChannel } from '../../src/email-channel';
import { createRenderer, type MailRenderer } from '../../src/render/create-renderer';
import type { MailTransport } from '../../src/transports/types';

let renderer: MailRenderer | undefined;

/** An email queue with fast backoff, for worker-level tests. */
export function emailQueue(redis: Redis, prefix: string, maxAttempts = 6): TaskQueue<NotificationPayload> {
  return new TaskQueue<NotificationPayload>({ redis, prefix, name: 'email', maxAttempts, backoff: { baseMs: 30, maxMs: 150 }, leaseMs: 5000 });
}

/** A shared Worker running the email channel over `transport`. */
export function emailWorker(
  queue: TaskQueue<NotificationPayload>,
  transport: MailTransport,
  opts: { concurrency?: number; logger?: Logger; onSettled?: ConstructorParameters<typeof Worker<NotificationPayload>>[0]['onSettled'] } = {},
): Worker<NotificationPayload> {
  renderer ??= createRenderer();
  const handler = createEmailChannel({ transport, renderer, from: 'Alerts <alerts@example.com>' });
  return new Worker<NotificationPayload>({ queue, handler, concurrency: opts.concurrency ?? 2, blockTimeoutMs: 500, ...opts });
}

/** Waits until the task reaches one of `statuses` and returns it. */
export async function waitForStatus(
  queue: TaskQueue<NotificationPayload>,
  id: string,
  statuses: Array<TaskRecord['status']>,
  timeoutMs = 10_000,
): Promise<TaskRecord<NotificationPayload>> {
  let last: TaskRecord<NotificationPayload> | null = null;
  await waitFor(
    async () => {
      last = await queue.get(id);
      return last !== null && statuses.includes(last.status);
    },
    timeoutMs,
    `task ${id} to become ${statuses.join('/')}`,
  );
  return last!;
}
