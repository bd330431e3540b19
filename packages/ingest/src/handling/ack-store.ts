import { HandlingKeys, MAX_TIMELINE, runHandlingScript } from '@alertgw/shared';
import type { AckRecord, RedisClient } from '@alertgw/shared';

/** Why an ack was refused. */
export type AckRefusal = 'missing' | 'resolved' | 'changed' | 'acked';

/** What ack() did. */
export type AckResult = { ok: true; ack: AckRecord; version: number } | { ok: false; reason: AckRefusal; current?: AckRecord };

/**
 * The per-alert handling state in Redis: acks (by fingerprint, valid for one firing),
 * comments and assignments. Every change is one script that also appends the alert's
 * timeline event, so the state and its history never disagree.
 */
export class AckStore {
  readonly keys: HandlingKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    private readonly maxTimeline = MAX_TIMELINE,
  ) {
    this.keys = new HandlingKeys(prefix);
  }

  /** Acks the firing with `startsAt`; cancels its pending escalations. */
  async ack(input: { fingerprint: string; startsAt: string; by: string; comment?: string; via?: string; silence?: AckRecord['silence']; now?: Date }): Promise<AckResult> {
    const at = (input.now ?? new Date()).toISOString();
    const by = wellFormed(input.by);
    const comment = input.comment && wellFormed(input.comment);
    const ack: AckRecord = { by, at, startsAt: input.startsAt };
    if (comment) ack.comment = comment;
    if (input.via) ack.via = input.via;
    if (input.silence) ack.silence = input.silence;
    const event = { at, type: 'ack', by, ...(input.via ? { via: input.via } : {}), ...(comment ? { comment } : {}), ...(input.silence ? { silence: input.silence } : {}) };
    const k = this.keys;
    const reply = (await runHandlingScript(
      this.redis,
      'ackAlert',
      [k.acks, k.ackVersion, k.escalationQueue.delayed, k.alerts.record(input.fingerprint), k.alerts.timeline(input.fingerprint), k.escalation(input.fingerprint)],
      [input.fingerprint, JSON.stringify(ack), input.startsAt, JSON.stringify(event), at, this.maxTimeline, k.events, k.escalationQueue.base],
    )) as [number, string | number, string?];
    if (Number(reply[0]) === 1) return { ok: true, ack, version: Number(reply[1]) };
    const reason = String(reply[1]) as AckRefusal;
    return reason === 'acked' ? { ok: false, reason, current: JSON.parse(String(reply[2])) as AckRecord } : { ok: false, reason };
  }

  /** Removes the ack; resolves to the removed ack, or why there was none. */
  async unack(input: { fingerprint: string; by: string; now?: Date }): Promise<{ ok: true; ack: AckRecord } | { ok: false; reason: 'missing' | 'not-acked' }> {
    const k = this.keys;
    const reply = (await runHandlingScript(
      this.redis,
      'unackAlert',
      [k.acks, k.ackVersion, k.alerts.record(input.fingerprint), k.alerts.timeline(input.fingerprint)],
      [input.fingerprint, input.by, (input.now ?? new Date()).toISOString(), this.maxTimeline, k.events],
    )) as [number, string];
    if (Number(reply[0]) === 1) return { ok: true, ack: JSON.parse(reply[1]) as AckRecord };
    return { ok: false, reason: reply[1] as 'missing' | 'not-acked' };
  }

  /** Appends a `comment` event; false when the alert has no record. */
  comment(input: { fingerprint: string; by: string; comment: string; now?: Date }): Promise<boolean> {
    return this.annotate(input.fingerprint, { type: 'comment', by: input.by, comment: input.comment }, input.now);
  }

  /** Sets the record's `assignee` and appends an `assign` event; false when the alert has no record. */
  assign(input: { fingerprint: string; by: string; assignee: string; now?: Date }): Promise<boolean> {
    return this.annotate(input.fingerprint, { type: 'assign', by: input.by, assignee: input.assignee }, input.now, ['assignee', input.assignee]);
  }

  /** Every current ack, by fingerprint (including acks of firings that have since ended). */
  async all(): Promise<Map<string, AckRecord>> {
    const raw = await this.redis.hgetall(this.keys.acks);
    const out = new Map<string, AckRecord>();
    for (const [fp, json] of Object.entries(raw)) {
      try {
        out.set(fp, JSON.parse(json) as AckRecord);
      } catch {
        // An unreadable entry acks nothing.
      }
    }
    return out;
  }

  /** The ack version (0 before the first ack). */
  async version(): Promise<number> {
    return Number((await this.redis.get(this.keys.ackVersion)) ?? 0);
  }

  private async annotate(fingerprint: string, event: Record<string, unknown>, now?: Date, field?: [string, string]): Promise<boolean> {
    const entry = JSON.stringify({ at: (now ?? new Date()).toISOString(), ...event });
    const k = this.keys.alerts;
    const reply = await runHandlingScript(
      this.redis,
      'annotateAlert',
      [k.record(fingerprint), k.timeline(fingerprint)],
      [entry, this.maxTimeline, field?.[0] ?? '', field?.[1] ?? ''],
    );
    return Number(reply) === 1;
  }
}

/**
 * The text with lone surrogates replaced by U+FFFD. JSON.stringify writes one as "\ud800",
 * which Redis's cjson refuses to decode, and the scripts decode the ack on every delivery.
 */
function wellFormed(text: string): string {
  return text.replace(/\p{Surrogate}/gu, '\ufffd');
}
