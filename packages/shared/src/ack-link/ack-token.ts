import { createHmac, timingSafeEqual } from 'node:crypto';
import { isFingerprint } from '../webhook/fingerprint';

/** What an ack link acks: one alert, or a stored group of alerts (ack-group-store.ts). */
export type AckSubject = { kind: 'alert'; fingerprint: string } | { kind: 'group'; groupId: string };

/** What a verified link says: what to ack, for whom (the timeline's `by`), until when (ms). */
export interface AckClaims {
  subject: AckSubject;
  recipient: string;
  expiresAtMs: number;
}

/** Why a link is refused; the page says which. */
export type AckTokenRefusal = 'malformed' | 'foreign' | 'tampered' | 'expired';

/** The outcome of checking a token. */
export type AckTokenCheck = { ok: true; claims: AckClaims } | { ok: false; reason: AckTokenRefusal };

/** Bytes of a group id (a truncated SHA-256 of the fingerprints, see ack-group-store.ts). */
export const GROUP_ID_BYTES = 12;
/** Longest recipient name a link carries, in UTF-8 bytes (directory names are at most 128 characters). */
const MAX_RECIPIENT_BYTES = 255;
const VERSION = 1;
/** The subject kinds, as the token's kind byte stores them. */
const KIND = { alert: 0, group: 1 } as const;
// 128 bits of HMAC-SHA256: far beyond guessing online, and 22 characters shorter than the full 256.
const MAC_BYTES = 16;
const KEY_ID_BYTES = 2;
// An Alertmanager fingerprint is 16 lowercase hex digits: 8 bytes in the link instead of 16 characters.
const HEX_FINGERPRINT = /^[0-9a-f]{16}$/;
const HEX_FLAG = 0x80;
const B64URL = /^[A-Za-z0-9_-]{1,400}$/;

/*
 * Layout (then base64url, no padding), e.g. 38 bytes = 51 characters for one alert and "alice":
 *   [0]      version (high 4 bits) | kind (low 4 bits)
 *   [1..2]   key id: the first bytes of HMAC(key, "key-id" + deployment), so a link signed with
 *            another key or for another deployment is told apart from a tampered one
 *   [3..6]   expiry, seconds since the epoch (uint32)
 *   subject  alert: 1 length byte (0x80|8 = 16 hex digits packed), then the fingerprint;
 *            group: the 12-byte group id
 *   recipient 1 length byte, UTF-8
 *   MAC      16 bytes of HMAC-SHA256(key, "ack-link" + deployment + everything before)
 */

/**
 * Signs and checks ack links with one key for one deployment (its Redis key prefix, so two
 * deployments that share a key still refuse each other's links).
 */
export class AckTokenCodec {
  private readonly keyId: Buffer;

  constructor(
    private readonly key: string,
    private readonly deployment: string,
  ) {
    this.keyId = this.hmac('key-id', Buffer.alloc(0)).subarray(0, KEY_ID_BYTES);
  }

  /** The token for these claims (URL-safe, no padding). */
  sign(claims: AckClaims): string {
    const recipient = Buffer.from(claims.recipient, 'utf8');
    if (recipient.length === 0 || recipient.length > MAX_RECIPIENT_BYTES) throw new RangeError('ack link recipient must be 1-255 bytes');
    const head = Buffer.alloc(7);
    head[0] = (VERSION << 4) | (claims.subject.kind === 'alert' ? KIND.alert : KIND.group);
    this.keyId.copy(head, 1);
    head.writeUInt32BE(Math.floor(claims.expiresAtMs / 1000), 3);
    const body = Buffer.concat([head, subjectBytes(claims.subject), Buffer.from([recipient.length]), recipient]);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** Checks a token from the network: its shape, key, signature and expiry, in that order. */
  verify(token: string, nowMs: number): AckTokenCheck {
    if (!B64URL.test(token)) return { ok: false, reason: 'malformed' };
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length < 7 + 2 + MAC_BYTES || bytes[0]! >> 4 !== VERSION) return { ok: false, reason: 'malformed' };
    if (!bytes.subarray(1, 1 + KEY_ID_BYTES).equals(this.keyId)) return { ok: false, reason: 'foreign' };
    const body = bytes.subarray(0, bytes.length - MAC_BYTES);
    if (!timingSafeEqual(bytes.subarray(body.length), this.mac(body))) return { ok: false, reason: 'tampered' };
    const claims = parseBody(body);
    if (!claims) return { ok: false, reason: 'malformed' };
    return claims.expiresAtMs <= nowMs ? { ok: false, reason: 'expired' } : { ok: true, claims };
  }

  private mac(body: Buffer): Buffer {
    return this.hmac('ack-link', body).subarray(0, MAC_BYTES);
  }

  private hmac(purpose: string, body: Buffer): Buffer {
    // Purpose and deployment are NUL-separated: neither contains a NUL, so no two inputs collide.
    return createHmac('sha256', this.key).update(`alertgw\u0000${purpose}\u0000${this.deployment}\u0000`).update(body).digest();
  }
}

function subjectBytes(subject: AckSubject): Buffer {
  if (subject.kind === 'group') {
    const id = Buffer.from(subject.groupId, 'base64url');
    if (id.length !== GROUP_ID_BYTES) throw new RangeError('group id must be 12 bytes, base64url');
    return id;
  }
  const fp = subject.fingerprint;
  if (!isFingerprint(fp)) throw new RangeError('not a fingerprint');
  if (HEX_FINGERPRINT.test(fp)) return Buffer.concat([Buffer.from([HEX_FLAG | 8]), Buffer.from(fp, 'hex')]);
  return Buffer.concat([Buffer.from([fp.length]), Buffer.from(fp, 'ascii')]);
}

/** The claims of a body whose MAC was checked; undefined when its layout is wrong all the same. */
function parseBody(body: Buffer): AckClaims | undefined {
  const kind = body[0]! & 0x0f;
  const expiresAtMs = body.readUInt32BE(3) * 1000;
  let at = 7;
  let subject: AckSubject;
  if (kind === KIND.group) {
    if (body.length < at + GROUP_ID_BYTES) return undefined;
    subject = { kind: 'group', groupId: body.subarray(at, at + GROUP_ID_BYTES).toString('base64url') };
    at += GROUP_ID_BYTES;
  } else if (kind === KIND.alert) {
    const flag = body[at++]!;
    const hex = flag === (HEX_FLAG | 8);
    const length = hex ? 8 : flag;
    if (body.length < at + length) return undefined;
    const raw = body.subarray(at, at + length);
    const fingerprint = hex ? raw.toString('hex') : raw.toString('latin1');
    if (!isFingerprint(fingerprint)) return undefined;
    subject = { kind: 'alert', fingerprint };
    at += length;
  } else {
    return undefined;
  }
  const length = body[at++];
  if (length === undefined || length === 0 || body.length !== at + length) return undefined;
  const recipient = body.subarray(at).toString('utf8');
  return { subject, recipient, expiresAtMs };
}
