import { createHash } from 'node:crypto';
import { HandlingKeys } from '../handling/handling-keys';
import type { RedisClient } from '../queue/task-queue';
import { isFingerprint } from '../webhook/fingerprint';
import { GROUP_ID_BYTES } from './ack-token';

/** Most alerts one group link acks; Alertmanager's own max_alerts is usually far lower. */
export const MAX_GROUP_ALERTS = 1000;
// 16 base64url characters = GROUP_ID_BYTES: checked before the id becomes part of a key.
const GROUP_ID = /^[A-Za-z0-9_-]{16}$/;
// 1000 fingerprints of at most 64 characters, quoted, with commas.
const MAX_STORED_BYTES = MAX_GROUP_ALERTS * 67 + 2;

/*
 * Why a group link names a stored group instead of listing its fingerprints: a group of ten
 * alerts would need 80+ bytes of fingerprints in the token, too long for an SMS, and a storm
 * group of hundreds would not fit a URL at all. The id is a hash of the fingerprints, so every
 * recipient, retry and replica of one delivery writes the same key (no coordination), and a
 * reader can check that what it read is what was signed: the signature covers the id, the id
 * covers the list.
 */

/** The id of a set of fingerprints: 12 bytes of SHA-256 over them, sorted, base64url. */
export function ackGroupId(fingerprints: readonly string[]): string {
  const sorted = [...new Set(fingerprints)].sort();
  return createHash('sha256').update(sorted.join('\n')).digest().subarray(0, GROUP_ID_BYTES).toString('base64url');
}

/** Stores the fingerprints of a group link for `ttlMs` and returns its id (rewriting it only refreshes the TTL). */
export async function storeAckGroup(redis: RedisClient, prefix: string, fingerprints: readonly string[], ttlMs: number): Promise<string> {
  const sorted = [...new Set(fingerprints)].sort();
  if (sorted.length === 0 || sorted.length > MAX_GROUP_ALERTS || !sorted.every(isFingerprint)) {
    throw new RangeError(`a group ack link names 1-${MAX_GROUP_ALERTS} valid fingerprints`);
  }
  const id = ackGroupId(sorted);
  await redis.set(new HandlingKeys(prefix).ackGroup(id), JSON.stringify(sorted), 'PX', Math.max(1, Math.ceil(ttlMs)));
  return id;
}

/** The fingerprints of a stored group, or undefined when it expired, was never stored, or does not hash to its id. */
export async function readAckGroup(redis: RedisClient, prefix: string, id: string): Promise<string[] | undefined> {
  if (!GROUP_ID.test(id)) return undefined;
  const raw = await redis.get(new HandlingKeys(prefix).ackGroup(id));
  if (!raw || raw.length > MAX_STORED_BYTES) return undefined;
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(list) || !list.every((fp) => typeof fp === 'string' && isFingerprint(fp))) return undefined;
  return ackGroupId(list as string[]) === id ? (list as string[]) : undefined;
}
