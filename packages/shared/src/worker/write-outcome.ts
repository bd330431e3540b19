import type { Logger } from '../log';
import type { TaskQueue } from '../queue/task-queue';
import type { ClaimedTask, TaskStatus } from '../queue/types';
import type { settleOutcome } from './settle-outcome';

/** First pause before writing an outcome again; doubled up to OUTCOME_RETRY_MAX_MS. */
const OUTCOME_RETRY_FIRST_MS = 100;
const OUTCOME_RETRY_MAX_MS = 1000;

/**
 * Writes a sent task's outcome (ack, retry or dead letter) for the holder of `task.token`, and
 * keeps trying while Redis is away, for up to one lease: the lock outlives a short outage, and
 * an outcome given up on means the provider gets the same message again when the lease runs
 * out. Past the lease the fencing token refuses the write anyway. Returns the task's new
 * status, or 'refused' when the lease is no longer ours; throws when Redis stayed away.
 */
export function writeOutcome<P>(
  queue: TaskQueue<P>,
  task: ClaimedTask<P>,
  s: ReturnType<typeof settleOutcome>,
  log: Logger,
): Promise<TaskStatus | 'refused'> {
  const deadline = Date.now() + queue.leaseMs;
  // The first try is a plain promise chain: it runs once per task, and async frames cost garbage.
  return writeOnce(queue, task, s).catch((err: unknown) => writeAgain(queue, task, s, log, deadline, err));
}

/** The tries after a failed first one, with growing pauses, while the lease lasts. */
async function writeAgain<P>(
  queue: TaskQueue<P>,
  task: ClaimedTask<P>,
  s: ReturnType<typeof settleOutcome>,
  log: Logger,
  deadline: number,
  firstErr: unknown,
): Promise<TaskStatus | 'refused'> {
  let err = firstErr;
  for (let attempt = 2, pause = OUTCOME_RETRY_FIRST_MS; ; attempt++, pause = Math.min(2 * pause, OUTCOME_RETRY_MAX_MS)) {
    if (Date.now() + pause > deadline) throw err;
    if (attempt === 2) log.warn('could not write task outcome yet (Redis?); retrying while the lease lasts', { queue: queue.name, taskId: task.id, err });
    await new Promise((r) => setTimeout(r, pause));
    try {
      const status = await writeOnce(queue, task, s);
      // A refusal after a failed try may be our own first write, done by Redis but unanswered.
      if (status === 'refused') return (await ownEarlierWrite(queue, task)) ?? 'refused';
      return status;
    } catch (e) {
      err = e;
    }
  }
}

function writeOnce<P>(queue: TaskQueue<P>, task: ClaimedTask<P>, s: ReturnType<typeof settleOutcome>): Promise<TaskStatus | 'refused'> {
  if (s.kind === 'ack') return queue.ack(task.id, task.token, s.results, s.info, task.partKey).then((done) => (done ? 'completed' : 'refused'));
  return queue.fail(task.id, task.token, { ...s }).then((r) => (r === 'lost' ? 'refused' : r));
}

/** The status our claim's outcome left, when the task hash says it was settled under our token. */
async function ownEarlierWrite<P>(queue: TaskQueue<P>, task: ClaimedTask<P>): Promise<TaskStatus | null> {
  const now = await queue.get(task.id);
  return now && now.token === task.token && (now.status === 'completed' || now.status === 'delayed' || now.status === 'dead') ? now.status : null;
}
