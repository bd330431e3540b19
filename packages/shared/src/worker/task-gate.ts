import type { ClaimedTask } from '../queue/types';
import type { Settlement } from './settle-outcome';

/** Why a gated task is not sent: every recipient without a final result settles with `status`. */
export interface GateRefusal<P> {
  /**
   * `suppressed`: no longer to be sent (a precondition failed); the task completes.
   * `failed`: nobody to send to; the task is dead-lettered (a replay resolves its targets again).
   */
  settle: 'suppressed' | 'failed';
  code: string;
  message: string;
  /** The task as resolved before the refusal (its recipients get the results). */
  task: ClaimedTask<P>;
}

/** What a gate decided about a claimed task right before its send. */
export type GateVerdict<P> = { send: ClaimedTask<P> } | GateRefusal<P>;

/**
 * A step the Worker runs on a claimed task right before each send attempt: it may resolve
 * recipients at send time and check a precondition. A task it has nothing to do for costs
 * nothing: before() answers undefined synchronously, and the task is sent as claimed.
 */
export interface TaskGate<P> {
  before(task: ClaimedTask<P>): Promise<GateVerdict<P>> | undefined;
}

/**
 * The settlement of a send the gate refused: every recipient without a final result gets the
 * refusal's status; suppressed completes the task, failed dead-letters it (no retry: nothing
 * would change by itself). A task with no recipient at all keeps the reason in its info.
 */
export function refusalSettlement<P>(r: GateRefusal<P>, recipients: string[]): Settlement {
  const at = new Date().toISOString();
  const results = { ...r.task.results };
  for (const a of recipients) {
    if (!results[a] || results[a].status === 'retry') results[a] = { status: r.settle, at, code: r.code, message: r.message };
  }
  const info = { gate: { settle: r.settle, code: r.code, message: r.message } };
  if (r.settle === 'suppressed') return { kind: 'ack', results, info };
  return { kind: 'fail', retryable: false, delayMs: 0, error: `${r.code}: ${r.message}`, results, info };
}
