import type { Settled, TimelineView } from '@alertgw/shared';

/**
 * How email results appear on alert timelines: each address with the server's message id and
 * response, and the accepted, rejected and retrying addresses of the attempt.
 */
export const emailTimelineView: TimelineView = {
  recipientFacts: (r) => ({
    ...(r.detail?.messageId ? { messageId: r.detail.messageId } : {}),
    ...(r.detail?.response ? { response: r.detail.response } : {}),
  }),
  summary: (settled: Settled) => {
    const by = (status: string) => Object.keys(settled.results).filter((a) => settled.results[a].status === status);
    const messageId = Object.values(settled.results).find((r) => r.detail?.messageId)?.detail?.messageId;
    return { ...(messageId ? { messageId } : {}), accepted: by('delivered'), rejected: by('failed'), retrying: by('retry') };
  },
};
