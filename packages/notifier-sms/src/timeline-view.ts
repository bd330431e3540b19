import { maskPhone, type Settled, type TimelineView } from '@alertgw/shared';

/**
 * How SMS results appear on alert timelines: numbers masked (timelines are for people reading
 * an alert; the task hash keeps the full numbers and provider facts), Tencent's SerialNo and
 * fee, and for a number merged into a storm summary, the summary's task id and due time.
 */
export const smsTimelineView: TimelineView = {
  recipientKey: maskPhone,
  recipientFacts: (r) => {
    const d = r.detail ?? {};
    return {
      ...(d.SerialNo ? { serialNo: d.SerialNo, fee: d.Fee } : {}),
      ...(r.status === 'merged' ? { digestTaskId: d.digestTaskId, sendAfter: d.sendAfter } : {}),
    };
  },
  summary: (settled: Settled) => {
    const count = (status: string) => Object.values(settled.results).filter((r) => r.status === status).length;
    return { delivered: count('delivered'), failed: count('failed'), retrying: count('retry'), merged: count('merged'), dryRun: count('dry-run') };
  },
};
