import type { ClaimedTask, NotificationPayload, RecipientResult } from '@alertgw/shared';

/** A task as the worker would hand it to send(), for channel-level tests. */
export function claimedTask(
  payload: NotificationPayload,
  opts: { id?: string; results?: Record<string, RecipientResult>; attempts?: number; createdAt?: number } = {},
): ClaimedTask<NotificationPayload> {
  return {
    id: opts.id ?? '1',
    queue: 'email',
    status: 'active',
    payload,
    severityRank: 0,
    attempts: opts.attempts ?? 1,
    maxAttempts: 5,
    results: opts.results ?? {},
    createdAt: opts.createdAt ?? Date.now(),
    updatedAt: Date.now(),
    token: 'token',
  };
}
