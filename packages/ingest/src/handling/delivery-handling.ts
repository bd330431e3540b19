import { HandlingKeys, MAX_TIMELINE, RANK_BASE } from '@alertgw/shared';
import type { AckRecord, EscalationIndex, ScriptCall, WebhookAlert } from '@alertgw/shared';
import { escalationTask } from './escalation-tier-task';
import { HANDLING_MAX_ATTEMPTS } from './handling-task';

/** What accepting a delivery needs from alert handling. */
export interface DeliveryHandling {
  /** Acks in force in this process, by fingerprint (no I/O: a live cache). */
  acked(): ReadonlyMap<string, Pick<AckRecord, 'startsAt'>>;
  /**
   * The delivery's handling step, to run right after its records are upserted, in the same
   * script: schedule escalations of newly firing alerts (each tier a delayed SMS task), end acks
   * and cancel escalations of resolved ones, record suppressed reminders. Undefined when there
   * is nothing to do.
   */
  call(input: DeliveryHandlingInput): ScriptCall | undefined;
}

/** One delivery as the handling step sees it. */
export interface DeliveryHandlingInput {
  alerts: readonly WebhookAlert[];
  /** The delivery's receiver and group key, as a tier's SMS shows them. */
  receiver: string;
  groupKey: string;
  /** Fingerprints of firing alerts left out of every task because they are acked. */
  suppressed: readonly string[];
  deliveryKey: string;
  /** When ingest received the delivery: the time its events carry, as its task payloads do. */
  now: Date;
}

/** Where the handling step's inputs come from. */
export interface DeliveryHandlingDeps {
  prefix: string;
  /** The acks in force (a LiveValue's value). */
  acks: () => ReadonlyMap<string, AckRecord>;
  /** The escalation tiers of the directory in force; absent when no channel a tier pages on (SMS, chat) is enabled. */
  escalations?: () => EscalationIndex;
  /** The enabled channels among those tiers page on: a tier on another one is not scheduled. */
  escalationChannels: ReadonlySet<string>;
  /** Queue priority of a severity label value (a tier's SMS is as urgent as its alert). */
  severityRank: (severity: string) => number;
  /** Attempts of a tier's task (the queues'). */
  maxAttempts: number;
  /** A suppressed-acked event is written once per delivery within this window. */
  dedupWindowMs: number;
  /** How long a resolved alert's record is kept; escalation state (and a tier's idempotency key) lives a week longer. */
  retentionMs: number;
  maxTimeline?: number;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Builds the handling step. Firing alerts cost nothing unless a route escalates them or they
 * are acked; resolved alerts always go to the script (one call per delivery, in the same round
 * trip as the records), because another replica may have acked or scheduled them a moment ago.
 */
export function createDeliveryHandling(deps: DeliveryHandlingDeps): DeliveryHandling {
  const keys = new HandlingKeys(deps.prefix);
  const escalationTtl = Math.max(1, deps.retentionMs) + WEEK_MS;
  return {
    acked: () => deps.acks(),
    call(input) {
      const acks = deps.acks();
      const escalations = deps.escalations?.();
      const suppressed = new Set(input.suppressed);
      const receivedAt = input.now.toISOString();
      const q = keys.queue;
      const perAlert: Array<string | number> = [];
      for (const alert of input.alerts) {
        if (alert.status === 'resolved') {
          perAlert.push(alert.fingerprint, 'resolved', alert.startsAt, 0, 0);
          continue;
        }
        const tiers = !escalations || escalations.empty ? [] : escalations.tiersFor(alert.labels).filter((t) => deps.escalationChannels.has(t.channel));
        if (tiers.length === 0 && !acks.has(alert.fingerprint)) continue;
        perAlert.push(alert.fingerprint, 'firing', alert.startsAt, suppressed.has(alert.fingerprint) ? 1 : 0, tiers.length);
        const rank = tiers.length ? deps.severityRank(alert.labels.severity ?? '') : 0;
        for (const t of tiers) {
          // The script adds dueAt from Redis' clock, the clock the task's own due time follows.
          const data = { route: t.route, tier: t.tier, afterMinutes: t.afterMs / 60_000, notify: t.notify };
          const task = escalationTask({ alert, receiver: input.receiver, groupKey: input.groupKey, receivedAt }, t);
          perAlert.push(t.id, t.channel, t.afterMs, rank, task.deliveryKey, JSON.stringify(data), JSON.stringify(task));
        }
      }
      if (perAlert.length === 0) return undefined;
      return [
        [keys.acks, keys.ackVersion, q.seq, q.pending, q.delayed],
        [
          keys.base,
          q.base,
          receivedAt,
          deps.maxTimeline ?? MAX_TIMELINE,
          input.deliveryKey,
          deps.dedupWindowMs,
          keys.events,
          escalationTtl,
          HANDLING_MAX_ATTEMPTS,
          // What every queue's key base starts with: a tier's queue is it + channel + ":".
          `${keys.escalationQueue.tag}:`,
          deps.maxAttempts,
          RANK_BASE,
          ...perAlert,
        ],
      ];
    },
  };
}
