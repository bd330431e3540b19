import { AlertKeys } from '../alerts/alert-keys';
import { QueueKeys } from '../queue/keys';

/** The channel-less queue of alert handling's delayed work (silences to expire, the silence sweep); includes/handling-task.lua names it too. */
export const HANDLING_QUEUE = 'handling';

/** The channel escalation tiers page people on: a tier is a delayed task of this channel's queue. */
export const ESCALATION_CHANNEL = 'sms';

/** Every channel an escalation tier can page on: people by SMS, chat robots (escalation-plan.ts). */
export const ESCALATION_CHANNELS: readonly string[] = [ESCALATION_CHANNEL, 'chat'];

/**
 * Every Redis key of alert handling (acks, escalations, silences to expire), built in one
 * place. They share the record store's hash tag `{<prefix>}`, because the scripts that
 * ack, escalate or end an ack must read and write the alert's record and timeline atomically.
 * An escalation tier is a delayed task of the SMS queue (`escalationQueue`), which checks the
 * alert at claim time (check-escalation-4.lua). The other delayed work (a silence to expire,
 * the periodic sweep of silenced acks) is a task on the `handling` queue (`queue`, QueueKeys
 * under `{<prefix>}:handling:`), run by ingest's handling Worker.
 *
 *   ack:all              HASH  fingerprint → ack JSON {by, at, startsAt, comment?, silence?}
 *   ack:ver              STRING version of ack:all, bumped by every change (replica caches poll it)
 *   esc:a:<fingerprint>  HASH  startsAt (the firing the tiers belong to), s:<tier> state
 *                              (scheduled | firing | fired | cancelled), d:<tier> tier JSON,
 *                              t:<tier> id of its task on the SMS queue, or q:<tier> the key base
 *                              of another channel's queue it waits on (a chat robot's tier)
 *   sil:gone             HASH  fingerprint → ms its silenced alert was first found missing in Alertmanager
 *   sup:<fp>:<delivery>  STRING marks a `suppressed-acked` event already written for a delivery
 *   ackl:g:<group id>    STRING JSON list of the fingerprints a group ack link names (TTL = link lifetime)
 *   ackl:c:<code>        STRING the signed token a short ack code stands for (TTL = link lifetime)
 *
 * Why no input can name a fixed key: every key built from input sits behind a segment that
 * no fixed key starts with (`a:`, `tl:`, `esc:a:`, `sup:`, `ackl:g:`, `ackl:c:` here; `idx:severity:` in AlertKeys),
 * and fingerprints match FINGERPRINT_PATTERN (letters, digits, `_`, `-`: never a `:`). The test
 * key-layout.test.ts derives every fixed key from these classes and checks it.
 */
export class HandlingKeys {
  readonly alerts: AlertKeys;
  readonly base: string;
  readonly acks: string;
  readonly ackVersion: string;
  /** The handling queue's keys. */
  readonly queue: QueueKeys;
  /** The keys of the SMS queue, where escalation tiers wait as delayed tasks. */
  readonly escalationQueue: QueueKeys;
  readonly silenceGone: string;
  /** Pub/sub channel: the new ack version whenever acks change. */
  readonly events: string;

  constructor(prefix: string) {
    this.alerts = new AlertKeys(prefix);
    this.base = this.alerts.base;
    this.acks = `${this.base}ack:all`;
    this.ackVersion = `${this.base}ack:ver`;
    this.queue = new QueueKeys(prefix, HANDLING_QUEUE);
    this.escalationQueue = new QueueKeys(prefix, ESCALATION_CHANNEL);
    this.silenceGone = `${this.base}sil:gone`;
    this.events = `${this.base}handling`;
  }

  /** Under `esc:a:`, a segment no fixed key uses, so no fingerprint can name a fixed key. */
  escalation(fingerprint: string): string {
    return `${this.base}esc:a:${fingerprint}`;
  }

  /** The fingerprints of a group ack link; `id` is base64url (ack-link/ack-group-store.ts checks it first). */
  ackGroup(id: string): string {
    return `${this.base}ackl:g:${id}`;
  }

  /** The signed token a short ack code stands for; `code` is base62 (ack-link/ack-code-store.ts checks it first). */
  ackCode(code: string): string {
    return `${this.base}ackl:c:${code}`;
  }

  /** Marks a `suppressed-acked` event written for one delivery (the scripts build the same name). */
  suppressed(fingerprint: string, deliveryKey: string): string {
    return `${this.base}sup:${fingerprint}:${deliveryKey}`;
  }
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
