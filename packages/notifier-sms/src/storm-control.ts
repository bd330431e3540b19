import { createSendBudget, type QueueKeys, type RedisClient, type SendBudget } from '@alertgw/shared';

export type { AdmitResult, DigestLatest, DigestSnapshot, FlushResult, BudgetNotification as StormNotification } from '@alertgw/shared';

/** Per-phone SMS budget and digests: the shared send budget with one limit. */
export type StormControl = SendBudget;

/**
 * Storm control: at most `maxPerWindow` SMS per phone per sliding `windowMs`. Over budget a
 * notification is not dropped but merged into the phone's digest; one summary SMS per digest
 * generation goes out when a slot frees (shared/src/flow/send-budget.ts does the work).
 */
export function createStormControl(opts: { redis: RedisClient; keys: QueueKeys; budget: { maxPerWindow: number; windowMs: number } }): StormControl {
  return createSendBudget({ redis: opts.redis, keys: opts.keys, limits: [{ max: opts.budget.maxPerWindow, windowMs: opts.budget.windowMs }] });
}
