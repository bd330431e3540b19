import { redact } from '../log';
import type { TaskRecord } from './types';

/** Task fields a reader (API viewer, terminal) may see; the lease token and anything added later stay out. */
const TASK_FIELDS = [
  'id', 'queue', 'status', 'payload', 'severityRank', 'attempts', 'maxAttempts', 'results',
  'lastError', 'createdAt', 'updatedAt', 'dueAt', 'finishedAt', 'owner', 'dedupKey',
] as const;

/**
 * Keys of TaskRecord.info a reader may see: SMS request ids and dry-run requests, the email
 * message id, server response and accepted/rejected lists. A channel that adds a key must add
 * it here before anybody sees it.
 */
const INFO_FIELDS = ['requestIds', 'dryRun', 'messageId', 'response', 'accepted', 'rejected', 'ccRejected'] as const;

/**
 * The task as people may read it: allow-listed fields only, then every phone number masked
 * (in keys and values alike: results are keyed by number, dry-run requests list them) and
 * every secret-named field redacted, by the same `redact` the logs use.
 */
export function taskForReader<P>(task: TaskRecord<P>): TaskRecord<P> {
  const picked: Record<string, unknown> = {};
  for (const field of TASK_FIELDS) if (task[field] !== undefined) picked[field] = task[field];
  if (task.info) {
    const info: Record<string, unknown> = {};
    for (const key of INFO_FIELDS) if (task.info[key] !== undefined) info[key] = task.info[key];
    picked.info = info;
  }
  return redact(picked) as TaskRecord<P>;
}
