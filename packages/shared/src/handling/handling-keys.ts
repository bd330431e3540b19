import { AlertKeys } from '../alerts/alert-keys';

/**
 * Every Redis key of alert handling (acks, escalations, silences to expire), built in one
 * place. They share the record store's hash tag `{<prefix>}`, because the scripts that
 * ack, escalate or end an ack must read and write the alert's record and timeline atomically.
 *
 *   ack:all              HASH  fingerprint → ack JSON {by, at, startsAt, comment?, silence?}
 *   ack:ver              STRING version of ack:all, bumped by every change (replica caches poll it)
 *   esc:due              ZSET  escalation member → due ms (scheduled, not fired yet)
 *   esc:inflight         ZSET  escalation member → lease deadline ms (claimed by a replica)
 *   esc:f:<fingerprint>  HASH  startsAt (the firing the tiers belong to), s:<tier> state
 *                              (scheduled | firing | fired | cancelled), d:<tier> tier JSON
 *   sil:expire           ZSET  Alertmanager silence id → ms when to (re)try expiring it
 *   sil:watch            STRING lock of the replica sweeping silenced acks (SET NX PX)
 *   sil:gone             HASH  fingerprint → ms its silenced alert was first found missing in Alertmanager
 *   sup:<fp>:<delivery>  STRING marks a `suppressed-acked` event already written for a delivery
 *
 * An escalation member is `<length of fp>:<fp><tier id>` (fingerprints are untrusted text).
 */
export class HandlingKeys {
  readonly alerts: AlertKeys;
  readonly base: string;
  readonly acks: string;
  readonly ackVersion: string;
  readonly due: string;
  readonly inflight: string;
  readonly silencesToExpire: string;
  readonly silenceWatchLock: string;
  readonly silenceGone: string;
  /** Pub/sub channel: a message (the new ack version, or "wake") whenever acks or escalations change. */
  readonly events: string;

  constructor(prefix: string) {
    this.alerts = new AlertKeys(prefix);
    this.base = this.alerts.base;
    this.acks = `${this.base}ack:all`;
    this.ackVersion = `${this.base}ack:ver`;
    this.due = `${this.base}esc:due`;
    this.inflight = `${this.base}esc:inflight`;
    this.silencesToExpire = `${this.base}sil:expire`;
    this.silenceWatchLock = `${this.base}sil:watch`;
    this.silenceGone = `${this.base}sil:gone`;
    this.events = `${this.base}handling`;
  }

  escalation(fingerprint: string): string {
    // Its own namespace: fingerprints are untrusted, and "due" would otherwise be esc:due.
    return `${this.base}esc:f:${fingerprint}`;
  }
}

/** One escalation's member in esc:due / esc:inflight. */
export function escalationMember(fingerprint: string, tierId: string): string {
  return `${fingerprint.length}:${fingerprint}${tierId}`;
}

/** Splits an escalation member back into fingerprint and tier id. */
export function parseEscalationMember(member: string): { fingerprint: string; tierId: string } {
  const colon = member.indexOf(':');
  const length = Number(member.slice(0, colon));
  return { fingerprint: member.slice(colon + 1, colon + 1 + length), tierId: member.slice(colon + 1 + length) };
}

/**
 * Keys of the notification directory (users, routes, mandatory) under `{<prefix>:directory}`:
 *
 *   doc   STRING JSON {users, routes, mandatory, updatedAt, updatedBy}
 *   ver   STRING version, bumped with every write (0 or missing = never seeded)
 */
export class DirectoryKeys {
  readonly tag: string;
  readonly doc: string;
  readonly version: string;
  /** Pub/sub channel carrying the new version after every write. */
  readonly events: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}:directory}`;
    this.doc = `${this.tag}:doc`;
    this.version = `${this.tag}:ver`;
    this.events = `${this.tag}:changed`;
  }
}
