import { HandlingKeys, MAX_TIMELINE, runHandlingScript } from '@alertgw/shared';
import type { LabelSet, Logger, RedisClient } from '@alertgw/shared';
import type { AlertmanagerClient } from './alertmanager-client';
import { HANDLING_MAX_ATTEMPTS } from './handling-task';

/** What one sweep of silenced acks needs. */
export interface SilenceSweepDeps {
  redis: RedisClient;
  prefix: string;
  alertmanager: AlertmanagerClient;
  logger: Logger;
  /** How long such an alert must be missing before its ack ends. */
  goneAfterMs: number;
  maxTimeline?: number;
}

/**
 * Keeps ack silences from outliving their alert: looks up each acked alert that has a silence.
 * Alertmanager never sends the resolved notification of a silenced alert (its issue #226), so
 * an alert it has not held for goneAfterMs is taken as resolved: its ack ends, which gives the
 * silence an expire-silence task on the handling queue and cancels pending escalations.
 * Alertmanager being unreachable throws and ends nothing: absence is only counted on a
 * successful answer. Run as the `silence-sweep` task (silence-sweep-task.ts), so by one replica
 * per slot; resolves to the number of acks ended.
 */
export async function sweepSilences(deps: SilenceSweepDeps, now: number): Promise<number> {
  const k = new HandlingKeys(deps.prefix);
  const raw = await deps.redis.hgetall(k.acks);
  let ended = 0;
  for (const [fp, json] of Object.entries(raw)) {
    let ack: { silence?: { id?: string }; startsAt?: string };
    try {
      ack = JSON.parse(json) as typeof ack;
    } catch {
      continue;
    }
    if (!ack.silence?.id) continue;
    const [labels, startsAt] = await deps.redis.hmget(k.alerts.record(fp), 'labels', 'startsAt');
    let gone: boolean;
    let reason = 'resolved: no longer in Alertmanager';
    if (labels === null) {
      gone = true;
      reason = 'the alert record expired';
    } else if (startsAt !== ack.startsAt) {
      gone = true;
      reason = 'fired again';
    } else {
      gone = !(await deps.alertmanager.hasAlert(JSON.parse(labels) as LabelSet, fp));
    }
    if (!gone) {
      await deps.redis.hdel(k.silenceGone, fp);
      continue;
    }
    const seen = await deps.redis.hget(k.silenceGone, fp);
    const since = seen === null ? now : Number(seen);
    if (seen === null) await deps.redis.hset(k.silenceGone, fp, now);
    if (now - since < deps.goneAfterMs) continue;
    const done = await runHandlingScript(
      deps.redis,
      'endAck',
      [k.acks, k.ackVersion, k.queue.seq, k.queue.pending, k.queue.delayed, k.alerts.record(fp), k.alerts.timeline(fp), k.escalation(fp)],
      [fp, json, reason, k.queue.base, new Date(now).toISOString(), deps.maxTimeline ?? MAX_TIMELINE, k.events, HANDLING_MAX_ATTEMPTS, k.escalationQueue.base],
    );
    await deps.redis.hdel(k.silenceGone, fp);
    if (Number(done) === 1) {
      ended++;
      deps.logger.info('ack ended: its silenced alert is gone from Alertmanager', { fingerprint: fp, reason });
    }
  }
  // Marks of acks that ended otherwise (unack, resolve) meanwhile.
  const stale = (await deps.redis.hkeys(k.silenceGone)).filter((fp) => !Object.prototype.hasOwnProperty.call(raw, fp));
  if (stale.length) await deps.redis.hdel(k.silenceGone, ...stale);
  return ended;
}
