import { classifyError, type NotificationPayload, type PayloadAckLinks, type RecipientResult, type SendOutcome } from '@alertgw/shared';
import { mapReceipt } from './map-receipt';
import type { MailRenderer } from './render/create-renderer';
import type { MailTransport, OutgoingMail } from './transports/types';

/** What sending one mail per address needs from the channel. */
export interface PerAddressInput {
  opts: { transport: MailTransport; renderer: MailRenderer };
  p: NotificationPayload;
  /** To addresses not yet delivered. */
  pending: string[];
  /** Cc addresses this attempt still copies. */
  ccNow: string[];
  compose(rendered: { subject: string; html: string; text: string }, envelopeTo: string[]): OutgoingMail;
  links: PayloadAckLinks;
  signal: AbortSignal;
  at(): string;
}

/**
 * Sends one mail per address, each with ack links signed for its reader: a To address for its
 * directory user's name (what the timeline shows as who acked), a Cc address for the address
 * itself. Headers stay those of the shared mail, so every copy looks alike. A transport error
 * before anything went out is thrown as before (the worker classifies it); after some copies
 * went out, the addresses not reached are reported `retry` (or `failed` for a permanent error),
 * so a retry never mails those already served.
 */
export async function sendOnePerAddress(input: PerAddressInput): Promise<SendOutcome> {
  const { p, pending, ccNow, links, opts } = input;
  const nameOf = new Map(p.recipients.map((r) => [r.address.trim().toLowerCase(), r.name]));
  const results: Record<string, RecipientResult> = {};
  const messageIds: string[] = [];
  const ccRejected: unknown[] = [];
  const targets = [...pending.map((address) => ({ address, cc: false })), ...ccNow.map((address) => ({ address, cc: true }))];
  let reached = false;
  for (const [i, target] of targets.entries()) {
    const recipient = target.cc ? target.address : (nameOf.get(target.address.toLowerCase()) ?? target.address);
    const mail = input.compose(opts.renderer.render(p, { links, recipient }), [target.address]);
    let receipt;
    try {
      receipt = await opts.transport.send(mail, input.signal);
    } catch (err) {
      if (!reached) throw err;
      const { retryable, code } = classifyError(err);
      for (const rest of targets.slice(i).filter((t) => !t.cc)) {
        results[rest.address] = { status: retryable ? 'retry' : 'failed', at: input.at(), code, message: (err as Error).message };
      }
      break;
    }
    const outcome = target.cc ? mapReceipt(receipt, [], [target.address], input.at()) : mapReceipt(receipt, [target.address], [], input.at());
    Object.assign(results, outcome.results);
    if (Object.values(outcome.results).some((r) => r.status === 'delivered')) reached = true;
    messageIds.push(receipt.messageId);
    if (outcome.info?.ccRejected) ccRejected.push(...(outcome.info.ccRejected as unknown[]));
  }
  return { results, info: { mails: messageIds.length, messageIds: [...new Set(messageIds)], ...(ccRejected.length ? { ccRejected } : {}) } };
}
