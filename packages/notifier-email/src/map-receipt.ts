import type { RecipientResult, SendOutcome } from '@alertgw/shared';
import { isTransientReply, smtpCode } from './classify-smtp-error';
import { CC_RESULT_PREFIX } from './cc-result';
import type { TransportReceipt } from './transports/types';

const lower = (a: string) => a.trim().toLowerCase();

/** The per-recipient results (and info) of one receipt for the pending To addresses and the Cc addresses it went to. */
export function mapReceipt(receipt: TransportReceipt, pending: string[], cc: string[], at: string): SendOutcome {
  const accepted = new Set(receipt.accepted.map(lower));
  const rejected = new Map(receipt.rejected.map((r) => [lower(r.address), r]));
  const detail = {
    messageId: receipt.messageId,
    response: receipt.response,
    accepted: receipt.accepted,
    rejected: receipt.rejected.map((r) => r.address),
  };
  const results: Record<string, RecipientResult> = {};
  for (const address of pending) {
    const key = lower(address);
    const refusal = rejected.get(key);
    if (accepted.has(key)) {
      results[address] = { status: 'delivered', at, detail };
    } else if (refusal) {
      const transient = refusal.responseCode !== undefined && isTransientReply(refusal.responseCode);
      results[address] = {
        status: transient ? 'retry' : 'failed',
        at,
        code: refusal.responseCode ? smtpCode(refusal.responseCode) : 'rejected',
        message: refusal.response,
        detail,
      };
    } else {
      // The server took the mail but said nothing about this address: try it again.
      results[address] = { status: 'retry', at, code: 'not-accepted', message: 'recipient missing from the server answer', detail };
    }
  }
  for (const address of cc) {
    if (accepted.has(lower(address))) results[`${CC_RESULT_PREFIX}${address}`] = { status: 'delivered', at, detail };
  }
  const ccRejected = receipt.rejected.filter((r) => cc.some((c) => lower(c) === lower(r.address)));
  return {
    results,
    info: { ...detail, ...(ccRejected.length ? { ccRejected } : {}) },
  };
}

