import type { Receipt } from './receipt-ledger';

/** A crash that can cut a send off between the provider's OK and the ack. */
export interface Crash {
  label: string;
  /** ms epoch of the SIGKILL. */
  at: number;
  /**
   * Until when a send could still be cut off by it: the kill itself for a notifier (a dead
   * process sends nothing); for Redis, one lease after it answered again (a holder sends until
   * it sees that its lease ran out while Redis was away, and an ack may fail meanwhile).
   */
  until: number;
  /** `channel:taskId` of every task in flight: the dead notifier's leases, or all leases just before Redis died. */
  tasks: Set<string>;
}

/** The verdict on every duplicate. */
export interface DuplicateVerdict {
  /** Extra receipts (beyond the first per key). */
  duplicates: number;
  /** Extra receipts traced to a crash that held their task when it was sent. */
  explained: number;
  /** How many extra receipts each crash explains (crashes that explain none are absent). */
  explainedBy: Map<Crash, number>;
  /** Keys with a receipt no crash explains: each is a bug. */
  unexplained: Receipt[][];
  /**
   * Provider receipt of a cut-off send relative to the notifier kill that cut it (ms), earliest
   * and latest: negative = OK before the kill, positive = the provider finished taking in bytes
   * the dead process had already written.
   */
  cutOffMs: { min: number; max: number };
}

/**
 * How long after a notifier's death its provider may still accept what it had written: the
 * bytes are in the kernel's socket buffers, and the SMTP server or the fake Tencent reads
 * and answers them on a busy machine a little later.
 */
export const PROVIDER_LAG_MS = 1000;

/**
 * Checks that every duplicate is a send cut off between the provider's OK and the ack: for
 * each receipt followed by another of the same key, some crash held its task at the time
 * (`tasks`), came after the send (or, for Redis, the send came before Redis was back) give or
 * take PROVIDER_LAG_MS, and came before the repeat. Each crash explains at most one repeat per task and key, so duplicates
 * are bounded by crashes × tasks they held.
 */
export function explainDuplicates(keys: Receipt[][], crashes: Crash[]): DuplicateVerdict {
  const verdict: DuplicateVerdict = { duplicates: 0, explained: 0, explainedBy: new Map(), unexplained: [], cutOffMs: { min: 0, max: 0 } };
  for (const receipts of keys) {
    const used = new Set<Crash>();
    let ok = true;
    for (let j = 0; j + 1 < receipts.length; j++) {
      const sent = receipts[j];
      const repeat = receipts[j + 1];
      verdict.duplicates++;
      const crash = crashes.find(
        (c) => !used.has(c) && c.tasks.has(`${sent.channel}:${sent.taskId}`) && sent.at <= c.until + PROVIDER_LAG_MS && c.at <= repeat.at,
      );
      if (!crash) {
        ok = false;
        continue;
      }
      used.add(crash);
      verdict.explained++;
      verdict.explainedBy.set(crash, (verdict.explainedBy.get(crash) ?? 0) + 1);
      if (crash.until === crash.at) {
        verdict.cutOffMs.min = Math.min(verdict.cutOffMs.min, sent.at - crash.at);
        verdict.cutOffMs.max = Math.max(verdict.cutOffMs.max, sent.at - crash.at);
      }
    }
    if (!ok) verdict.unexplained.push(receipts);
  }
  return verdict;
}
