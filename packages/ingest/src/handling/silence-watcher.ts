import { HandlingKeys, MAX_TIMELINE, runHandlingScript } from '@alertgw/shared';
import type { LabelSet, Logger, RedisClient } from '@alertgw/shared';
import type { AlertmanagerClient } from './alertmanager-client';
import { CoalescedRun } from './coalesced-run';
import { HANDLING_MAX_ATTEMPTS } from './handling-task';

/** What the silence watcher needs. */
export interface SilenceWatcherOptions {
  redis: RedisClient;
  prefix: string;
  alertmanager: AlertmanagerClient;
  logger: Logger;
  /** How often acked alerts with a silence are looked up in Alertmanager. */
  intervalMs: number;
  /** How long such an alert must be missing before its ack ends. */
  goneAfterMs: number;
  maxTimeline?: number;
}

/**
 * Keeps ack silences from outliving their alert: every intervalMs, one replica (SET NX lock)
 * looks up each acked alert that has a silence. Alertmanager never sends the resolved
 * notification of a silenced alert (its issue #226), so an alert it has not held for
 * goneAfterMs is taken as resolved: its ack ends, which gives the silence an expire-silence
 * task on the handling queue (run by the handling Worker) and cancels pending escalations.
 * Alertmanager being unreachable ends nothing: absence is only counted on a successful answer.
 */
export class SilenceWatcher {
  private readonly keys: HandlingKeys;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly run = new CoalescedRun(() => this.runSweep());

  constructor(private readonly opts: SilenceWatcherOptions) {
    this.keys = new HandlingKeys(opts.prefix);
  }

  /** Starts the interval and runs a sweep at once. */
  start(): void {
    this.run.resume();
    this.timer = setInterval(() => this.kick(), this.opts.intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops the interval; resolves when a run in progress has finished. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.run.stop();
  }

  /** Runs a sweep now (or right after the one in progress). */
  kick(): void {
    this.run.kick();
  }

  private async runSweep(): Promise<void> {
    try {
      await this.sweep();
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.opts.logger.warn('silence watcher: sweep failed; retrying on the next interval', { err: (err as Error).message });
      this.failing = true;
    }
  }

  /** Looks up every acked alert with a silence (one replica per interval); resolves to the acks ended. */
  async sweep(now = Date.now()): Promise<number> {
    const k = this.keys;
    const locked = await this.opts.redis.set(k.silenceWatchLock, '1', 'PX', Math.max(1, this.opts.intervalMs - 10), 'NX');
    if (locked !== 'OK') return 0;
    const raw = await this.opts.redis.hgetall(k.acks);
    let ended = 0;
    for (const [fp, json] of Object.entries(raw)) {
      let ack: { silence?: { id?: string }; startsAt?: string };
      try {
        ack = JSON.parse(json) as typeof ack;
      } catch {
        continue;
      }
      if (!ack.silence?.id) continue;
      const [labels, startsAt] = await this.opts.redis.hmget(k.alerts.record(fp), 'labels', 'startsAt');
      let gone: boolean;
      let reason = 'resolved: no longer in Alertmanager';
      if (labels === null) {
        gone = true;
        reason = 'the alert record expired';
      } else if (startsAt !== ack.startsAt) {
        gone = true;
        reason = 'fired again';
      } else {
        gone = !(await this.opts.alertmanager.hasAlert(JSON.parse(labels) as LabelSet, fp));
      }
      if (!gone) {
        await this.opts.redis.hdel(k.silenceGone, fp);
        continue;
      }
      const seen = await this.opts.redis.hget(k.silenceGone, fp);
      const since = seen === null ? now : Number(seen);
      if (seen === null) await this.opts.redis.hset(k.silenceGone, fp, now);
      if (now - since < this.opts.goneAfterMs) continue;
      const done = await runHandlingScript(
        this.opts.redis,
        'endAck',
        [k.acks, k.ackVersion, k.queue.seq, k.queue.pending, k.queue.delayed, k.alerts.record(fp), k.alerts.timeline(fp), k.escalation(fp)],
        [fp, json, reason, k.queue.base, new Date(now).toISOString(), this.opts.maxTimeline ?? MAX_TIMELINE, k.events, HANDLING_MAX_ATTEMPTS],
      );
      await this.opts.redis.hdel(k.silenceGone, fp);
      if (Number(done) === 1) {
        ended++;
        this.opts.logger.info('ack ended: its silenced alert is gone from Alertmanager', { fingerprint: fp, reason });
      }
    }
    // Marks of acks that ended otherwise (unack, resolve) meanwhile.
    const stale = (await this.opts.redis.hkeys(k.silenceGone)).filter((fp) => !Object.prototype.hasOwnProperty.call(raw, fp));
    if (stale.length) await this.opts.redis.hdel(k.silenceGone, ...stale);
    return ended;
  }
}
