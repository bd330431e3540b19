import type { ClaimedTask } from '../queue/types';

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
