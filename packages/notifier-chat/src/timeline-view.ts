import type { Settled, TimelineView } from '@alertgw/shared';

/**
 * How chat results appear on alert timelines: per robot its status and code (the provider's
 * errcode, e.g. "dingtalk-40058" on a dead letter), how many alerts the message listed and
 * left to "N more", and for a robot over its budget the summary task and when it is due.
 */
export const chatTimelineView: TimelineView = {
  recipientKey: (robot) => `robot:${robot}`,
  recipientFacts: (r) => {
    const d = r.detail ?? {};
    return {
      ...(d.type ? { type: d.type } : {}),
      ...(r.status === 'delivered' || r.status === 'dry-run' ? { shown: d.shown, more: d.more } : {}),
      ...(r.status === 'merged' ? { digestTaskId: d.digestTaskId, sendAfter: d.sendAfter } : {}),
    };
  },
  summary: (settled: Settled) => {
    const count = (status: string) => Object.values(settled.results).filter((r) => r.status === status).length;
    return { delivered: count('delivered'), failed: count('failed'), retrying: count('retry'), merged: count('merged'), dryRun: count('dry-run') };
  },
};
