import {
  DirectoryStore,
  directoryFromConfig,
  ESCALATION_CHANNELS,
  severityRank,
  type AckRecord,
  type ChannelHandler,
  type GatewayConfig,
  type Logger,
  type NotificationPayload,
  type RedisClient,
  type TaskQueue,
  Worker,
} from '@alertgw/shared';
import { AckStore } from './handling/ack-store';
import { compileDirectory, LiveDirectory, type CompiledDirectory } from './handling/live-directory';
import { createAckCache } from './handling/ack-cache';
import { createAlertActions, type AlertActions } from './handling/alert-actions';
import { createAlertmanagerClient, type AlertmanagerClient } from './handling/alertmanager-client';
import { createDeliveryHandling, type DeliveryHandling } from './handling/delivery-handling';
import { createHandlingHandler } from './handling/handling-handler';
import { createHandlingQueue, type HandlingTask } from './handling/handling-task';
import { RedisEvents } from './handling/redis-events';
import { scheduleSilenceSweep, type SilenceSweepTaskDeps } from './handling/silence-sweep-task';
import type { LiveValue } from './handling/live-value';
import type { RecipientResolver } from './plan-tasks';

/** Handling tasks run at once per replica: each is a few Redis calls, or one Alertmanager call. */
const HANDLING_CONCURRENCY = 8;

/** What the handling runtime is built from; main.ts and tests pass their own connections. */
export interface HandlingRuntimeOptions {
  config: GatewayConfig;
  /** The connection for commands (the one that accepts deliveries). */
  redis: RedisClient;
  /** A connection of its own for pub/sub; close() ends it. */
  subscriber: RedisClient;
  /** One queue per enabled channel; escalation tiers are SMS tasks (none while the SMS channel is disabled). */
  queues: ReadonlyMap<string, TaskQueue<NotificationPayload>>;
  logger: Logger;
  /** Version polls of the directory and ack caches (default 1000 ms). */
  pollMs?: number;
  /** Longest blocking wait of the handling Worker when nothing is due (default 5000 ms). */
  escalationIdleMs?: number;
  /** Run the handling Worker here and keep the silence sweep scheduled (default true). */
  loops?: boolean;
}

/** Alert handling and the live directory of one ingest process. */
export interface HandlingRuntime {
  readonly store: DirectoryStore;
  readonly directory: LiveDirectory;
  readonly acks: LiveValue<Map<string, AckRecord>>;
  readonly actions: AlertActions;
  readonly delivery: DeliveryHandling;
  /** Resolves with the directory in force (the config's until the first load). */
  readonly resolver: RecipientResolver;
  /** The `handling` queue: silences to expire and the silence sweep, as delayed tasks. */
  readonly tasks: TaskQueue<HandlingTask>;
  /** What runs a handling task (a test may run it in a Worker of its own). */
  readonly handler: ChannelHandler<HandlingTask>;
  /** The Worker that runs them with `handler` (started by start() when loops are on). */
  readonly worker: Worker<HandlingTask>;
  /** What the recurring `silence-sweep` task runs with (absent without an Alertmanager). */
  readonly silenceSweep?: SilenceSweepTaskDeps;
  readonly alertmanager?: AlertmanagerClient;
  /** True once the directory and the acks are loaded. */
  readonly ready: boolean;
  /** Seeds and loads the directory, loads the acks, starts the loops. Throws if Redis does not answer. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Wires alert handling for ingest: the directory in Redis (seeded from the config, live on
 * every replica), the ack cache the delivery path reads, the per-alert actions of the API,
 * the handling Worker (escalation tiers and silence expiries are delayed tasks on the
 * `handling` queue, so any replica may run them and each runs once), and the sweep of silenced
 * acks, a recurring task on that queue that every replica keeps scheduled.
 * No I/O until start().
 */
export function createHandlingRuntime(opts: HandlingRuntimeOptions): HandlingRuntime {
  const { config, redis, logger } = opts;
  const prefix = config.redis.keyPrefix;
  const channels = [...opts.queues.keys()];
  const pollMs = opts.pollMs ?? 1000;
  const events = new RedisEvents(opts.subscriber, logger);
  const store = new DirectoryStore(redis, prefix, Object.keys(config.channels));
  const directory = new LiveDirectory({ store, config, channels, events, pollMs, logger });
  const ackStore = new AckStore(redis, prefix);
  const acks = createAckCache({ store: ackStore, events, pollMs, logger });
  const fallback: CompiledDirectory = compileDirectory(directoryFromConfig(config), 0, 'config', config, channels);
  let ready = false;
  const dir = () => (ready ? directory.current() : fallback);
  const noAcks = new Map<string, AckRecord>();
  const alertmanager = config.alertmanager.url ? createAlertmanagerClient(config.alertmanager) : undefined;

  const tasks = createHandlingQueue(redis, config);
  const actions = createAlertActions({
    redis,
    prefix,
    alertmanager,
    handlingQueue: tasks,
    userExists: (name) => dir().directory.user(name) !== undefined,
    onAckChanged: (version) => acks.refresh(version),
    logger,
  });
  const rank = (s: string) => severityRank(s, config.queue.severityRanks, config.queue.unknownSeverityRank);
  const escalationChannels = new Set(ESCALATION_CHANNELS.filter((c) => opts.queues.has(c)));
  const delivery = createDeliveryHandling({
    prefix,
    acks: () => (ready ? acks.value : noAcks),
    escalations: escalationChannels.size > 0 ? () => dir().escalations : undefined,
    escalationChannels,
    severityRank: rank,
    maxAttempts: config.queue.maxAttempts,
    dedupWindowMs: config.ingest.dedupWindowMs,
    retentionMs: config.ingest.alertRetentionMs,
  });
  const silenceSweep: SilenceSweepTaskDeps | undefined = alertmanager
    ? {
        redis,
        prefix,
        alertmanager,
        logger,
        tasks,
        intervalMs: config.alertmanager.watchIntervalMs,
        goneAfterMs: config.alertmanager.goneAfterMs,
      }
    : undefined;
  const handler = createHandlingHandler({ alertmanager, silenceSweep, logger });
  const worker = new Worker<HandlingTask>({
    queue: tasks,
    handler,
    concurrency: HANDLING_CONCURRENCY,
    logger,
    blockTimeoutMs: opts.escalationIdleMs,
  });
  const loops = opts.loops ?? true;
  const started = new Set<string>();

  return {
    store,
    directory,
    acks,
    actions,
    delivery,
    resolver: { resolve: (alerts) => dir().resolver.resolve(alerts) },
    tasks,
    handler,
    worker,
    silenceSweep,
    alertmanager,
    get ready() {
      return ready;
    },
    async start() {
      for (const channel of ESCALATION_CHANNELS.filter((c) => !escalationChannels.has(c))) {
        if (started.size === 0) logger.warn(`channels.${channel} is disabled: escalation tiers on it (${channel === 'chat' ? 'robots' : 'people, by SMS'}) are not scheduled`);
      }
      // Idempotent, so a start that failed halfway (Redis away) can simply be called again.
      if (!started.has('directory')) {
        await directory.start();
        started.add('directory');
      }
      if (!started.has('acks')) {
        await acks.start();
        started.add('acks');
      }
      ready = true;
      if (loops && !started.has('worker')) {
        worker.start();
        started.add('worker');
      }
      if (loops && silenceSweep && !started.has('sweep')) {
        // Every replica does this; the slot's dedup key merges them into one chain.
        await scheduleSilenceSweep(silenceSweep);
        started.add('sweep');
      }
    },
    async close() {
      directory.stop();
      acks.stop();
      await worker.close();
      await events.close();
    },
  };
}
