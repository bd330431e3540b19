import type { Logger } from '../log';
import type { NotificationPayload } from '../notification';
import type { TaskQueue } from '../queue/task-queue';
import type { ClaimedTask, RecipientResult } from '../queue/types';
import type { AdmitResult } from './send-budget';

/** How long the "one summary per subject and generation" idempotency key outlives the window. */
const DIGEST_DEDUP_MARGIN_MS = 3_600_000;
/**
 * Attempts of a summary task: waiting for a slot counts as an attempt, and a summary that
 * died waiting would strand its merged notifications until the idempotency key expires.
 */
const DIGEST_MIN_ATTEMPTS = 100;

/** Idempotency key of a subject's summary task: one pending summary per subject and generation. */
export function digestDedupKey(subject: string, gen: number): string {
  return `digest:${subject}:${gen}`;
}

/**
 * The payload of a summary task. It is a valid NotificationPayload (one recipient, no
 * alerts), so admin tools list it like any other task; `digest` (the channel's own reference
 * to the subject and generation) says what to summarize.
 */
export function digestPayload<R extends { gen: number }>(source: NotificationPayload, address: string, ref: R, now: Date): NotificationPayload & { digest: R } {
  const name = source.recipients.find((r) => r.address === address)?.name ?? '';
  const key = digestDedupKey(address, ref.gen);
  return {
    channel: source.channel,
    receiver: source.receiver,
    groupKey: key,
    status: 'firing',
    severity: source.severity,
    externalURL: source.externalURL,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    truncatedAlerts: 0,
    alerts: [],
    recipients: [{ name, address, rules: ['storm-control'] }],
    deliveryKey: key,
    receivedAt: now.toISOString(),
    digest: ref,
  };
}

/** A summary task enqueued (or found already enqueued) for a merged notification. */
export interface DigestScheduled {
  /** The merged recipient's result: `merged`, naming the summary task and when it is due. */
  result: RecipientResult;
  digestTaskId: string;
  duplicate: boolean;
}

/**
 * Enqueues (once per subject and generation, by idempotency key) the summary task of a digest a
 * notification was just merged into, due when the budget frees, and answers the merged
 * recipient's result. `budgetText` says the budget in words ("20 messages per 1 min").
 */
export async function scheduleDigest<P extends NotificationPayload>(
  deps: { queue: TaskQueue<P>; logger: Logger; windowMs: number; budgetText: string },
  task: ClaimedTask<P>,
  subject: string,
  m: Extract<AdmitResult, { status: 'merged' }>,
  payload: P,
): Promise<DigestScheduled> {
  const { queue } = deps;
  const delayMs = Math.max(0, m.freeAt - m.now);
  const { id, duplicate } = await queue.enqueue({
    payload,
    severityRank: task.severityRank,
    dedupKey: digestDedupKey(subject, m.gen),
    dedupTtlMs: deps.windowMs + DIGEST_DEDUP_MARGIN_MS,
    delayMs,
    maxAttempts: Math.max(queue.maxAttempts, DIGEST_MIN_ATTEMPTS),
  });
  if (!duplicate) deps.logger.info('send budget spent: summary scheduled', { taskId: task.id, digestTaskId: id, generation: m.gen, delayMs });
  const sendAfter = new Date(m.freeAt).toISOString();
  return {
    digestTaskId: id,
    duplicate,
    result: {
      status: 'merged',
      at: new Date().toISOString(),
      code: 'StormControl',
      message: `over the budget of ${deps.budgetText}: merged into summary task ${id}, due ${sendAfter}`,
      detail: { digestTaskId: id, digestGeneration: m.gen, mergedSoFar: m.count, sendAfter },
    },
  };
}
