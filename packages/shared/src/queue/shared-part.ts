import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** First character of a packed JSON text; JSON text never starts with it. */
const PACKED = '~';

/**
 * Shared parts of task payloads. The tasks one webhook delivery makes (one per channel) carry
 * the same alerts; each names one stored part (`EnqueueInput.part`, key from PartKeys) instead
 * of holding its own copy, and its payload is the part's fields overlaid by its own. Claim
 * returns the part with the task, in the same round trip; includes/task-part.lua keeps the
 * part exactly as long as the last task hash naming it.
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

/**
 * One JSON object text from a part's and a task's own: the part's members, then the task's,
 * which win a clash (JSON.parse keeps the last of two equal names). Both must be objects.
 */
export function overlayJson(part: string, own: string): string {
  const p = part.trim();
  const o = own.trim();
  if (!p.startsWith('{') || !p.endsWith('}') || !o.startsWith('{') || !o.endsWith('}')) throw new SyntaxError('a shared part and a payload must be JSON objects');
  if (o === '{}') return p;
  if (p === '{}') return o;
  return `${p.slice(0, -1)},${o.slice(1)}`;
}
