import { appendTimelines } from '../alerts/append-timeline';
import type { GatewayConfig } from '../config/types';
import { createPreconditionCheck } from '../handling/escalation-check';
import type { Logger } from '../log';
import type { QueueMetrics } from '../metrics';
import type { RedisClient, TaskQueue } from '../queue/task-queue';
import type { ChannelHandler } from '../queue/types';
import { Worker } from '../worker/worker';
import { createChannelGate, type GatedPayload } from './channel-gate';
import { sendTimeDirectory, type SendTimeDirectory } from './send-time-directory';
import { createTimelineRecorder, type TimelineView } from './timeline-recorder';

/** A channel task's payload as the kit reads it: its alerts (for timelines) and what the gate reads. */
export type ChannelPayload = GatedPayload & { alerts?: Array<{ fingerprint?: string }> };

/** What one channel's Worker is built from. */
export interface ChannelWorkerOptions<P extends ChannelPayload> {
  /** The channel (its queue's name). */
  name: string;
  config: GatewayConfig;
  redis: RedisClient;
  queue: TaskQueue<P>;
  handler: ChannelHandler<P>;
  concurrency: number;
  logger: Logger;
  metrics?: QueueMetrics;
  timeline?: TimelineView;
  /** The live directory the gate resolves against; the channel may share it (default: a new one). */
  directory?: SendTimeDirectory;
  /** Longest blocking wait when idle (the Worker's default unless given). */
  blockTimeoutMs?: number;
}

/**
 * The Worker of a channel as runChannelService runs it: the channel's handler behind the gate
 * (send-time targets resolved against the live directory, preconditions checked right before
 * each attempt), and every settled attempt written to its alerts' timelines.
 */
export function createChannelWorker<P extends ChannelPayload>(o: ChannelWorkerOptions<P>): Worker<P> {
  const prefix = o.config.redis.keyPrefix;
  const recorder = createTimelineRecorder(o.name, (fps, event) => appendTimelines(o.redis, prefix, fps, event), o.timeline);
  return new Worker<P>({
    queue: o.queue,
    handler: o.handler,
    concurrency: o.concurrency,
    logger: o.logger,
    metrics: o.metrics,
    blockTimeoutMs: o.blockTimeoutMs,
    gate: createChannelGate<P>({
      channel: o.name,
      directory: o.directory ?? sendTimeDirectory(o.redis, o.config),
      check: createPreconditionCheck({ redis: o.redis, prefix, logger: o.logger }),
    }),
    // A refused precondition wrote its own timeline event (escalation-suppressed).
    onSettled: (task, settled) => (settled.gated === 'suppressed' ? Promise.resolve() : recorder(task, settled)),
  });
}
