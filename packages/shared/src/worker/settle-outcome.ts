import type { BackoffOptions } from '../queue/backoff';
import { backoffDelay } from '../queue/backoff';
import type { ClaimedTask, ErrorClass, RecipientResult, SendOutcome } from '../queue/types';

/** What the worker does with a task after send() returned. */
export type Settlement =
  | { kind: 'ack'; results: Record<string, RecipientResult>; info?: Record<string, unknown> }
  | {
      kind: 'fail';
      retryable: boolean;
      delayMs: number;
      error: string;
      results: Record<string, RecipientResult>;
      info?: Record<string, unknown>;
      /** How the error send() threw was classified, when it threw. */
      thrown?: ErrorClass;
    };

/**
 * Decides ack / retry / dead from per-recipient results: any `retry` left → retry (or, on
 * the last attempt, turn them into `failed`); any `failed` → dead letter (replay resends only
 * to those); otherwise ack. A pending recipient send() said nothing about counts as `retry`.
 */
export function settleOutcome(task: ClaimedTask<unknown>, pending: string[], outcome: SendOutcome, backoff: BackoffOptions): Settlement {
  // Formatted only when a result needs it: most outcomes (every recipient answered) do not.
  let stamp: string | undefined;
  const now = () => (stamp ??= new Date().toISOString());
  const results: Record<string, RecipientResult> = { ...task.results, ...outcome.results };
  for (const address of pending) {
    results[address] ??= { status: 'retry', at: now(), code: 'NO_RESULT', message: 'channel reported no result for this recipient' };
  }
  let retry = Object.keys(results).filter((a) => results[a].status === 'retry');
  const lastAttempt = task.attempts >= task.maxAttempts;
  if (retry.length > 0 && lastAttempt) {
    for (const a of retry) {
      results[a] = { ...results[a], status: 'failed', at: now(), message: `gave up after ${task.attempts} attempts: ${results[a].message ?? results[a].code ?? ''}` };
    }
    retry = [];
  }
  const failed = Object.keys(results).filter((a) => results[a].status === 'failed');
  if (retry.length > 0) {
    return {
      kind: 'fail',
      retryable: true,
      delayMs: backoffDelay(task.attempts, backoff, outcome.retryAfterMs ?? 0),
      error: `${retry.length} recipient(s) to retry: ${summarize(results, retry)}`,
      results,
      info: outcome.info,
    };
  }
  if (failed.length > 0) {
    return { kind: 'fail', retryable: false, delayMs: 0, error: `${failed.length} recipient(s) failed: ${summarize(results, failed)}`, results, info: outcome.info };
  }
  return { kind: 'ack', results, info: outcome.info };
}

function summarize(results: Record<string, RecipientResult>, addresses: string[]): string {
  // Addresses are left out on purpose: they may be phone numbers, and this text is logged.
  const codes = new Map<string, number>();
  for (const a of addresses) {
    const code = results[a].code ?? 'unknown';
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  return [...codes].map(([c, n]) => `${c}×${n}`).join(', ');
}
