/**
 * Where the parts ingest stores verbatim sit in a webhook body's raw bytes: the `alerts`
 * array, and each alert's `labels` and `annotations` objects. With these, ingest writes
 * slices of the body it received instead of serializing the same data again — a 10-alert
 * delivery is ~6 KB of mostly two-byte (CJK) text, and JSON.stringify plus UTF-8 encoding
 * of it, per task and per record, was the largest cost of accepting a delivery.
 *
 * Each slice parses (JSON.parse) to exactly the value JSON.parse gave for the whole body:
 * a repeated key counts by its last occurrence, as in JSON.parse, and keys written with
 * escapes are decoded before they are compared.
 */

/** [start, end) byte offsets into the raw body. */
export type Span = readonly [start: number, end: number];

export interface RawAlertSpans {
  alerts: Span;
  /** Each element of the alerts array that is an object (every one, in a valid delivery), in order. */
  items: Span[];
  /** Per alert, in order; undefined where the alert had no such key. */
  labels: Array<Span | undefined>;
  annotations: Array<Span | undefined>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Scans a body that JSON.parse already accepted (so its syntax is known to be valid) and
 * returns the spans, or undefined when its top level is not an object with an `alerts` array.
 * One pass; strings are skipped with Buffer.indexOf, so the cost is a few µs per KB.
 */
export function findRawAlertSpans(raw: Uint8Array): RawAlertSpans | undefined {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  // Per open container: true for an object. A string met where `expectKey` is set is a key.
  const isObject: boolean[] = [];
  let expectKey = false;
  // The last key read at depth 1 (the body) or 3 (one alert), until its colon, when it is one this scan looks for.
  let key: TrackedKey | undefined;
  // The body's `alerts` value, while it is open: where it starts and the spans found so far.
  let alertsKeyAt = -1;
  let open: RawAlertSpans | undefined;
  // An alert's `labels` / `annotations` value, while it is open.
  let field: { name: 'labels' | 'annotations'; start: number } | undefined;
  let found: RawAlertSpans | undefined;

  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      const end = closingQuote(buf, i);
      if (expectKey && (isObject.length === 1 || (isObject.length === 3 && open))) key = trackedKey(buf, i, end);
      expectKey = false;
      i = end;
    } else if (c === COLON) {
      if (key === 'alerts' && isObject.length === 1) alertsKeyAt = valueStart(buf, i + 1);
      else if ((key === 'labels' || key === 'annotations') && isObject.length === 3 && open) {
        field = { name: key, start: valueStart(buf, i + 1) };
        // A repeated key replaces the earlier value, even when the new one is not an object.
        (key === 'labels' ? open.labels : open.annotations)[open.items.length - 1] = undefined;
      }
      key = undefined;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      isObject.push(c === OPEN_OBJECT);
      expectKey = c === OPEN_OBJECT;
      const depth = isObject.length;
      // A repeated `alerts` key starts over: JSON.parse keeps the last one.
      if (depth === 2 && i === alertsKeyAt && c === OPEN_ARRAY) open = { alerts: [i, i], items: [], labels: [], annotations: [] };
      else if (depth === 3 && open && c === OPEN_OBJECT) open.items.push([i, i]);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      isObject.pop();
      expectKey = false;
      const depth = isObject.length;
      // An alert object closes: its span ends here.
      if (depth === 2 && open && c === CLOSE_OBJECT) open.items[open.items.length - 1] = [open.items[open.items.length - 1]![0], i + 1];
      if (field && depth === 3 && open) {
        if (buf[field.start] === OPEN_OBJECT) (field.name === 'labels' ? open.labels : open.annotations)[open.items.length - 1] = [field.start, i + 1];
        field = undefined;
      } else if (depth < 3) {
        field = undefined;
      }
      if (depth === 1 && open) {
        open.alerts = [open.alerts[0], i + 1];
        found = open;
        open = undefined;
      }
    } else if (c === COMMA) {
      expectKey = isObject[isObject.length - 1] === true;
      // The tracked key's value was a scalar: nothing to record.
      if (field && isObject.length === 3) field = undefined;
    }
  }
  return found;
}

/** Index of the quote that closes the string opening at `open` (a quote preceded by an even number of backslashes). */
function closingQuote(buf: Buffer, open: number): number {
  let at = open;
  for (;;) {
    at = buf.indexOf(QUOTE, at + 1);
    if (at < 0) throw new Error('unterminated string in a body JSON.parse accepted');
    let slashes = 0;
    for (let k = at - 1; buf[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

/** The key names the scan acts on; every other key only needs to be skipped. */
const TRACKED_KEYS = ['alerts', 'labels', 'annotations'] as const;
type TrackedKey = (typeof TRACKED_KEYS)[number];

/**
 * Which tracked name the key string spanning [open, close] is, if any; escapes decoded only
 * when there are any. Compared byte by byte rather than by decoding every key into a string:
 * a body has ~80 keys, and only a few are these.
 */
function trackedKey(buf: Buffer, open: number, close: number): TrackedKey | undefined {
  for (let k = open + 1; k < close; k++) {
    if (buf[k] === BACKSLASH) {
      const text = JSON.parse(buf.toString('utf8', open, close + 1)) as string;
      return TRACKED_KEYS.find((name) => name === text);
    }
  }
  // No escapes: the key's bytes are its text's UTF-8, equal to an ASCII name exactly when every byte is.
  const length = close - open - 1;
  for (const name of TRACKED_KEYS) if (name.length === length && asciiAt(buf, open + 1, name)) return name;
  return undefined;
}

/** Whether the bytes at `from` are the ASCII text `name`. */
function asciiAt(buf: Buffer, from: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) if (buf[from + j] !== name.charCodeAt(j)) return false;
  return true;
}

/** First byte of the value after a colon (JSON whitespace skipped). */
function valueStart(buf: Buffer, from: number): number {
  let i = from;
  while (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09) i++;
  return i;
}
