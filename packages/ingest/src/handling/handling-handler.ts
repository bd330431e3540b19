import type { ChannelHandler, Logger, RecipientResult } from '@alertgw/shared';
import type { AlertmanagerClient } from './alertmanager-client';
import type { HandlingTask } from './handling-task';
import { createSilenceSweepRunner, type SilenceSweepTaskDeps } from './silence-sweep-task';

/** What the handling queue's tasks need. */
export interface HandlingHandlerDeps {
  logger: Logger;
  /** Absent: nothing can be expired (alertmanager.url is empty), so silence tasks fail. */
  alertmanager?: AlertmanagerClient;
  /** The sweep of silenced acks (absent without an Alertmanager: a sweep task then settles as suppressed). */
  silenceSweep?: SilenceSweepTaskDeps;
}

/**
 * The handler the ingest Worker runs on the `handling` queue: the same Worker class and
 * queue mechanism (lease, fencing token, retries with backoff, Redis' clock for due times)
 * as the channels, so alert handling has no claim loop of its own. One result per task,
 * keyed by its kind. A thrown error (Redis, an Alertmanager that does not answer) is retried.
 */
export function createHandlingHandler(deps: HandlingHandlerDeps): ChannelHandler<HandlingTask> {
  const sweep = deps.silenceSweep ? createSilenceSweepRunner(deps.silenceSweep) : undefined;
  const run = async (p: HandlingTask): Promise<RecipientResult> => {
    if (p.kind === 'expire-silence') return expireSilence(deps, p.silenceId);
    if (sweep) return sweep(p);
    return { status: 'suppressed', at: new Date().toISOString(), code: 'NO_ALERTMANAGER', message: 'alertmanager.url is not configured' };
  };
  return {
    recipientsOf: (task) => [task.payload.kind],
    async send(task) {
      return { results: { [task.payload.kind]: await run(task.payload) } };
    },
  };
}

/** Expires one Alertmanager silence; a failure throws, so the Worker retries it with backoff. */
async function expireSilence(deps: HandlingHandlerDeps, silenceId: string): Promise<RecipientResult> {
  const at = new Date().toISOString();
  if (!deps.alertmanager) return { status: 'failed', at, code: 'NO_ALERTMANAGER', message: 'alertmanager.url is not configured' };
  try {
    await deps.alertmanager.expireSilence(silenceId);
  } catch (err) {
    deps.logger.warn('could not expire an Alertmanager silence; will retry', { silenceId, err: (err as Error).message });
    return { status: 'retry', at, code: 'ALERTMANAGER_UNAVAILABLE', message: (err as Error).message };
  }
  return { status: 'delivered', at, detail: { silenceId } };
}
