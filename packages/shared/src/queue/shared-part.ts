import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** First character of a packed JSON text; JSON text never starts with it. */
const PACKED = '~';

/**
 * Shared parts of task payloads. The tasks one webhook delivery makes (one per channel) carry
 * the same alerts; each names one stored part (`EnqueueInput.part`, key from PartKeys) instead
 * of holding its own copy, and its payload is the part's fields overlaid by its own. Claim
 * returns the part with the task, in the same round trip; includes/task-part.lua keeps the
 * part exactly as long as the last task hash naming it. The part may also hold each queue's own
 * fields (partPayload), so that one deflate packs the whole delivery.
 *
 * The part is stored packed (packJson), and so may be a task's own payload.
 */

/** 64 random bits per process, so ids of several replicas never meet without a shared counter. */
const PROCESS_ID = randomBytes(8).toString('hex');
let partCount = 0;

/** A fresh part id: this process's random base and a count (nothing taken from input; no random call per delivery). */
export function newPartId(): string {
  return `${PROCESS_ID}${(partCount++).toString(36)}`;
}

/**
 * A JSON text packed for storage: deflated, as base64 (replies are read as UTF-8 text), after a
 * '~'. An alert group repeats its label names and most of their values from alert to alert, so
 * a 10-alert group's 6 KB of alerts keep under 1.2 KB, for ~20 µs to deflate once at ingest and
 * ~15 µs to inflate per claim.
 */
export function packJson(json: string | Buffer): string {
  return PACKED + deflateRawSync(json, DEFLATE).toString('base64');
}

/**
 * Fastest level; an 8 KB window and a small hash (the defaults cost a larger state to set up on
 * every call, for nothing on payloads of a few KB). Any inflate reads it.
 */
const DEFLATE = { level: 1, windowBits: 13, memLevel: 5 };

/** The JSON text a stored payload or part holds, packed or not; throws on a packed text that is broken. */
export function unpackJson(stored: string): string {
  return stored.startsWith(PACKED) ? inflateRawSync(Buffer.from(stored.slice(1), 'base64')).toString('utf8') : stored;
}

/** Key of a part's sections by queue name: each task takes the section of its own queue. */
export const BY_QUEUE = '@byQueue';

/**
 * The payload of a task of queue `queue` that names a part: the part's fields, overlaid by the
 * part's section for that queue (`BY_QUEUE`), overlaid by the task's own payload. A delivery's
 * tasks (one per channel queue) keep their own fields in the part too, so all of it is packed
 * in one deflate and each task hash holds only small fields. Both texts must be JSON objects.
 */
export function partPayload(part: string, queue: string, own: string): Record<string, unknown> {
  const { [BY_QUEUE]: byQueue, ...common } = JSON.parse(part) as Record<string, unknown>;
  const section = byQueue && typeof byQueue === 'object' && Object.hasOwn(byQueue, queue) ? (byQueue as Record<string, unknown>)[queue] : undefined;
  const mine = JSON.parse(own) as unknown;
  if (typeof common !== 'object' || (section !== undefined && (typeof section !== 'object' || section === null)) || typeof mine !== 'object' || mine === null) {
    throw new SyntaxError('a shared part, its sections and a payload must be JSON objects');
  }
  return Object.assign(common, section, mine);
}
