import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { TaskQueue } from './queue/task-queue';

/** Counters the worker core keeps per queue. */
export interface QueueMetrics {
  claims: Counter<'queue'>;
  acks: Counter<'queue'>;
  retries: Counter<'queue'>;
  deadLetters: Counter<'queue'>;
  leaseLosses: Counter<'queue'>;
  /** Permanent errors that mean the channel's configuration is wrong (auth, template, balance). */
  configErrors: Counter<'queue' | 'code'>;
  /** Per-recipient results by status (delivered, failed, retry, merged …). */
  recipientResults: Counter<'queue' | 'status'>;
}

/** A fresh registry with Node's default process metrics (one per service, not the global one). */
export function createRegistry(prefix = 'alertgw_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}

/** Registers the worker-core counters on `registry`. */
export function createQueueMetrics(registry: Registry): QueueMetrics {
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name: `alertgw_${name}`, help, labelNames, registers: [registry] });
  return {
    claims: counter('queue_claims_total', 'Tasks claimed by this process.', ['queue']),
    acks: counter('queue_acks_total', 'Tasks completed by this process.', ['queue']),
    retries: counter('queue_retries_total', 'Attempts that failed and were scheduled again.', ['queue']),
    deadLetters: counter('queue_dead_letters_total', 'Tasks moved to the dead-letter set.', ['queue']),
    leaseLosses: counter('queue_lease_losses_total', 'Tasks whose lease was lost while working.', ['queue']),
    configErrors: counter('channel_config_errors_total', 'Failures that mean the channel configuration is wrong.', ['queue', 'code']),
    recipientResults: counter('recipient_results_total', 'Per-recipient results by status.', ['queue', 'status']),
  };
}

/** A gauge of queue depths by state, read from Redis at scrape time. */
export function registerQueueDepthGauge(registry: Registry, queues: Array<TaskQueue<unknown>>): Gauge<'queue' | 'state'> {
  return new Gauge<'queue' | 'state'>({
    name: 'alertgw_queue_depth',
    help: 'Tasks per queue and state (pending, active, delayed, completed, dead).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const queue of queues) {
        const counts = await queue.counts().catch(() => null);
        if (!counts) continue;
        for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
      }
    },
  });
}
