import type { AckLinkIssuer, ChannelHandler, ClaimedTask, NotificationPayload, RecipientResult, SendOutcome } from '@alertgw/shared';
import { mapReceipt } from './map-receipt';
import type { MailRenderer } from './render/create-renderer';
import { sendOnePerAddress } from './send-per-address';
import { threadHeaders } from './threading';
import type { MailTransport, OutgoingMail } from './transports/types';
import { CC_RESULT_PREFIX } from './cc-result';

export { CC_RESULT_PREFIX };

/** What the email channel needs; everything is injected so tests use real servers. */
export interface EmailChannelOptions {
  transport: MailTransport;
  renderer: MailRenderer;
  /** From header and envelope sender. */
  from: string;
  /** Attach the alert group as JSON. */
  attachGroupJson?: boolean;
  /** Signs ack links (ingest.publicUrl set): then each address gets its own mail, with links signed for it. */
  ackLinks?: AckLinkIssuer;
  now?: () => Date;
}

const lower = (a: string) => a.trim().toLowerCase();

function uniqueAddresses(list: string[], exclude: Set<string> = new Set()): string[] {
  const seen = new Set(exclude);
  const out: string[] = [];
  for (const address of list) {
    const key = lower(address);
    if (!address.trim() || seen.has(key)) continue;
    seen.add(key);
    out.push(address.trim());
  }
  return out;
}

function groupJson(p: NotificationPayload): string {
  // Recipients and delivery keys stay out: the attachment is about the alerts, not the routing.
  const { receiver, status, groupKey, groupLabels, commonLabels, commonAnnotations, externalURL, truncatedAlerts, alerts } = p;
  return JSON.stringify(
    { receiver, status, groupKey, groupLabels, commonLabels, commonAnnotations, externalURL, truncatedAlerts, alerts },
    null,
    2,
  );
}

/**
 * Cc goes out with the first attempt that reaches anybody and never again: once any To
 * recipient or any Cc address is recorded delivered, later attempts (retries for refused To
 * recipients, replays) mail only the pending To recipients. Cc refusals are reported in the
 * outcome's info and never cause a retry.
 */
function ccAlreadySent(results: Record<string, RecipientResult>): boolean {
  return Object.entries(results).some(([key, r]) => r.status === 'delivered' || key.startsWith(CC_RESULT_PREFIX));
}

/**
 * The email channel for the shared worker: renders the group, sends one mail to the pending
 * recipients (never to those already delivered), and reports a result per recipient —
 * delivered with message id and server response, failed for 5xx refusals, retry for 4xx.
 */
export function createEmailChannel(opts: EmailChannelOptions): ChannelHandler<NotificationPayload> {
  const now = opts.now ?? (() => new Date());
  return {
    async send(task: ClaimedTask<NotificationPayload>, pendingRecipients: string[], signal: AbortSignal): Promise<SendOutcome> {
      const p = task.payload;
      const pending = uniqueAddresses(pendingRecipients);
      if (pending.length === 0) return { results: {} };
      const to = uniqueAddresses(p.recipients.map((r) => r.address));
      // Cc is the task's own: ingest merged email.cc and the routes' cc at accept time, so the
      // task records everyone it copies and a config change cannot alter a queued task's audience.
      const cc = uniqueAddresses(p.cc ?? [], new Set(to.map(lower)));
      const ccNow = ccAlreadySent(task.results ?? {}) ? [] : cc;

      const thread = threadHeaders({ taskId: task.id, createdAt: task.createdAt, deliveryKey: p.deliveryKey, groupKey: p.groupKey, from: opts.from });
      const compose = (rendered: { subject: string; html: string; text: string }, envelopeTo: string[]): OutgoingMail => ({
        from: opts.from,
        to,
        cc,
        envelopeTo,
        ...rendered,
        ...thread,
        headers: {
          // RFC 3834: stops vacation auto-replies from answering alert mail.
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          'X-Alertgw-Task': task.id.replace(/[^A-Za-z0-9._:-]/g, '_'),
        },
        attachments: opts.attachGroupJson
          ? [{ filename: 'alert-group.json', contentType: 'application/json', content: groupJson(p) }]
          : [],
        priority: task.severityRank,
      });
      const links = p.alerts.some((a) => a.status === 'firing') ? await opts.ackLinks?.forPayload(p) : undefined;
      if (links) return sendOnePerAddress({ opts, p, pending, ccNow, compose, links, signal, at: () => now().toISOString() });
      const mail = compose(opts.renderer.render(p), [...pending, ...ccNow]);
      const receipt = await opts.transport.send(mail, signal);
      return mapReceipt(receipt, pending, ccNow, now().toISOString());
    },
  };
}
