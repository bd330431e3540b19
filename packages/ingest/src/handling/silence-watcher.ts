import { HandlingKeys, MAX_TIMELINE, runHandlingScript } from '@alertgw/shared';
import type { LabelSet, Logger, RedisClient } from '@alertgw/shared';
import type { AlertmanagerClient } from './alertmanager-client';
import { CoalescedRun } from './coalesced-run';
import type { RedisEvents } from './redis-events';

/** What the silence watcher needs. */
export interface SilenceWatcherOptions {
  redis: RedisClient;
  prefix: string;
  alertmanager: AlertmanagerClient;
  events?: RedisEvents;
  logger: Logger;
  /** How often acked alerts with a silence are looked up in Alertmanager. */
  intervalMs: number;
  /** How long such an alert must be missing before its ack ends. */
  goneAfterMs: number;
  /** How long a replica owns a silence it is expiring before another retries it. */
  leaseMs?: number;
  maxTimeline?: number;
}

/**
 * Keeps ack silences from outliving their alert. Two duties, shared by every replica:
 * - expire the silences queued in sil:expire (an ack ended by a resolve or by this watcher,
 *   or an unack whose expiry failed), each claimed by one replica at a time and retried until
 *   Alertmanager confirms; woken at once when acks change;
 * - every intervalMs, one replica (SET NX lock) looks up each acked alert that has a silence:
 *   Alertmanager never sends the resolved notification of a silenced alert (its issue #226),
 *   so an alert it has not held for goneAfterMs is taken as resolved: its ack ends (which
 *   queues the silence expiry and cancels pending escalations).
 * Alertmanager being unreachable ends nothing: absence is only counted on a successful answer.
 */
export class SilenceWatcher {
  private readonly keys: HandlingKeys;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly run = new CoalescedRun(() => this.runDuties());

  constructor(private readonly opts: SilenceWatcherOptions) {
    this.keys = new HandlingKeys(opts.prefix);
  }

  /** Subscribes to ack changes, starts the interval and runs both duties at once. */
  async start(): Promise<void> {
    this.run.resume();
    await this.opts.events?.on(this.keys.events, (message) => {
      if (message.startsWith('ack:')) this.kick();
    });
    this.timer = setInterval(() => this.kick(), this.opts.intervalMs);
    this.timer.unref();
    this.kick();
  }

  /** Stops the interval; resolves when a run in progress has finished. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.run.stop();
  }

  /** Runs both duties now (or right after the run in progress). */
  kick(): void {
    this.run.kick();
  }

  private async runDuties(): Promise<void> {
    try {
      await this.expireQueued();
      await this.sweep();
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.opts.logger.warn('silence watcher: run failed; retrying on the next interval', { err: (err as Error).message });
      this.failing = true;
    }
  }

  /** Expires the queued silences that are due; resolves to how many Alertmanager confirmed. */
  async expireQueued(now = Date.now()): Promise<number> {
    const ids = (await runHandlingScript(this.opts.redis, 'claimDue', [this.keys.silencesToExpire], [now, this.opts.leaseMs ?? 30_000, 100])) as string[];
    let done = 0;
    for (const id of ids) {
      try {
        await this.opts.alertmanager.expireSilence(id);
        await this.opts.redis.zrem(this.keys.silencesToExpire, id);
        done++;
      } catch (err) {
        // Stays claimed until the lease ends, then any replica retries.
        this.opts.logger.warn('could not expire an Alertmanager silence; will retry', { silenceId: id, err: (err as Error).message });
      }
    }
    return done;
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
        [k.acks, k.ackVersion, k.silencesToExpire, k.due, k.inflight, k.alerts.record(fp), k.alerts.timeline(fp), k.escalation(fp)],
        [fp, json, reason, now, new Date(now).toISOString(), this.opts.maxTimeline ?? MAX_TIMELINE, k.events],
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
    if (ended > 0) await this.expireQueued(now);
    return ended;
  }
}
