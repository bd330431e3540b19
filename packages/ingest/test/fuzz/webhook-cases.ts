import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { fixedKeyNames, hostileString } from '@alertgw/testkit';
import { goJson, loadFixtures, TEST_ENV } from '../support/harness';

/** One generated webhook request: exact headers and bytes, and the body it encodes when that is JSON. */
export interface WebhookCase extends fc.WithToStringMethod {
  /** What the generator meant to build (for the failure report). */
  note: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The parsed body, when the bytes are one JSON document (after any Content-Encoding). */
  sent?: unknown;
}

const fixtures = loadFixtures().map((f) => f.body);
const BEARER = `Bearer ${TEST_ENV.INGEST_TOKEN}`;
const BASIC = `Basic ${Buffer.from(`am:${TEST_ENV.INGEST_BASIC_PASSWORD}`).toString('base64')}`;
const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/alertmanager+json'];

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A label name or value: a hostile one, or an ordinary one so routing still matches sometimes. */
const text = (maxLength?: number) => fc.oneof({ weight: 3, arbitrary: hostileString({ maxLength }) }, { weight: 1, arbitrary: fc.constantFrom('db', 'critical', 'warning', 'info', 'x') });
const labelSet = fc.dictionary(text(1024), text(), { maxKeys: 6 });

/**
 * A fingerprint the schema accepts (FINGERPRINT_PATTERN) but that tries to collide: every
 * segment of every fixed key name that fits the pattern, prototype names, Alertmanager's own
 * 16 hex digits, any other allowed string.
 */
const allowedFingerprint = fc.oneof(
  fc.constantFrom(...fixedKeyNames('ag', ['email', 'sms']).filter((n) => /^[0-9A-Za-z_-]{1,64}$/.test(n)), '__proto__', 'constructor', 'toString', 'hasOwnProperty'),
  fc.stringMatching(/^[0-9a-f]{16}$/),
  fc.stringMatching(/^[0-9A-Za-z_-]{1,40}$/),
);
/** Mostly allowed fingerprints (so deliveries get through), sometimes any hostile text (a 400). */
const fingerprint = fc.oneof({ weight: 4, arbitrary: allowedFingerprint }, { weight: 1, arbitrary: fc.oneof(text(256), fc.constant('')) });

/**
 * A real Alertmanager delivery with hostile values put in: fingerprints, labels (names and
 * values, severity, team), receiver, groupKey, status, annotations, alert count, extra fields.
 * `unique` makes most fingerprints this case's own, so records of different cases rarely collide.
 */
const hostileDelivery: fc.Arbitrary<Body> = fc
  .record({
    base: fc.constantFrom(...fixtures),
    unique: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    fingerprints: fc.array(fingerprint, { minLength: 1, maxLength: 4 }),
    uniqueFp: fc.boolean(),
    severity: fc.option(text(), { nil: undefined }),
    team: fc.option(fc.oneof(fc.constantFrom('db', '__proto__', '{ag}'), text()), { nil: undefined }),
    labels: labelSet,
    annotations: fc.dictionary(text(1024), text(), { maxKeys: 3 }),
    receiver: fc.option(text(), { nil: undefined }),
    groupKey: fc.option(text(), { nil: undefined }),
    statuses: fc.array(fc.constantFrom('firing', 'resolved'), { minLength: 1, maxLength: 4 }),
    copies: fc.integer({ min: 1, max: 3 }),
    truncated: fc.nat(1000),
    extra: fc.dictionary(text(64), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 }),
  })
  .map((g) => {
    const body: Body = structuredClone(g.base);
    const template = body.alerts[0];
    const alerts: Body[] = [];
    for (let c = 0; c < g.copies; c++) {
      g.fingerprints.forEach((fp, i) => {
        const status = g.statuses[i % g.statuses.length]!;
        alerts.push({
          ...structuredClone(template),
          status,
          endsAt: status === 'resolved' ? '2026-11-24T13:50:00Z' : template.endsAt,
          fingerprint: g.uniqueFp ? `${fp.slice(0, 40)}-${g.unique}-${i}` : fp,
          labels: {
            ...template.labels,
            ...g.labels,
            ...(g.severity === undefined ? {} : { severity: g.severity }),
            ...(g.team === undefined ? {} : { team: g.team }),
          },
          annotations: { ...template.annotations, ...g.annotations },
        });
      });
    }
    body.alerts = alerts;
    body.status = alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
    if (g.receiver !== undefined) body.receiver = g.receiver;
    body.groupKey = g.groupKey === undefined ? `${body.groupKey}#${g.unique}` : g.groupKey;
    body.truncatedAlerts = g.truncated;
    if (g.severity !== undefined) body.commonLabels = { ...body.commonLabels, severity: g.severity };
    return Object.assign(body, g.extra);
  });

/** Ways to break a valid body's shape: missing fields, numbers for strings, deep nesting. */
const brokenShape: fc.Arbitrary<[string, Body]> = fc
  .tuple(
    hostileDelivery,
    fc.constantFrom('drop', 'number', 'null', 'array', 'nest', 'alertField', 'version'),
    fc.constantFrom('version', 'receiver', 'status', 'alerts', 'groupLabels', 'commonLabels', 'commonAnnotations', 'externalURL', 'groupKey', 'truncatedAlerts'),
    fc.constantFrom('status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'),
    fc.integer({ min: 1, max: 3000 }),
  )
  .map(([body, how, field, alertField, depth]) => {
    const b = body;
    if (how === 'drop') delete b[field];
    if (how === 'number') b[field] = depth;
    if (how === 'null') b[field] = null;
    if (how === 'array') b[field] = [b[field]];
    if (how === 'nest') {
      let deep: unknown = 'x';
      for (let i = 0; i < depth; i++) deep = { a: deep };
      b.alerts[0].labels = deep;
    }
    if (how === 'alertField') b.alerts[0][alertField] = depth;
    if (how === 'version') b.version = depth % 2 ? 4 : '5';
    return [`broken shape: ${how} ${how === 'alertField' ? alertField : field}`, b];
  });

/** Good credentials in the forms the gateway accepts. */
const goodAuth = fc.constantFrom(BEARER, BASIC);

/** Credentials that must not open the webhook (or odd spellings of good ones). */
const oddAuth = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', 'Bearer', 'Bearer ', `Bearer ${TEST_ENV.INGEST_TOKEN}x`, `Bearer ${TEST_ENV.INGEST_TOKEN.slice(0, -1)}`, 'Basic', 'Basic !!!', `Basic ${Buffer.from('am').toString('base64')}`, `Basic ${Buffer.from('am:').toString('base64')}`, `Basic ${Buffer.from(':secret').toString('base64')}`, 'Digest username="am"', `bearer  ${TEST_ENV.INGEST_TOKEN}`, `Bearer ${'A'.repeat(8000)}`),
  hostileString({ maxLength: 1024 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
);

const serialize = (body: unknown) => fc.constantFrom<Array<(b: unknown) => Buffer>>(
  (b) => goJson(b),
  (b) => Buffer.from(JSON.stringify(b)),
  (b) => Buffer.from(JSON.stringify(b, null, 2)),
).map((f) => f(body));

const make = (note: string, auth: string | undefined, type: string | undefined, body: Buffer, sent?: unknown, extra: Record<string, string> = {}): WebhookCase => ({
  // fast-check prints counterexamples with this: a note and a size, not megabytes of bytes.
  [fc.toStringMethod]: () => `${note} (${body.length} bytes)`,
  note,
  headers: { ...(auth === undefined ? {} : { authorization: auth }), ...(type === undefined ? {} : { 'content-type': type }), ...extra },
  body,
  sent,
});

/** Valid deliveries with hostile values, in every accepted form (bearer/basic, gzip, JSON types). */
export const validCase: fc.Arbitrary<WebhookCase> = fc
  .tuple(hostileDelivery, goodAuth, fc.constantFrom(...JSON_TYPES), fc.integer({ min: 0, max: 9 }))
  .chain(([body, auth, type, form]) =>
    serialize(body).map((bytes) => {
      if (form === 0) return make('hostile values, gzip', auth, type, gzipSync(bytes), body, { 'content-encoding': 'gzip' });
      if (form === 1) {
        // Decoys first: JSON.parse keeps the last copy of a key, and so must whatever stores the raw bytes.
        const decoyed = Buffer.concat([Buffer.from('{"alerts":[{"fingerprint":"decoy"}],"receiver":7,'), bytes.subarray(1)]);
        return make('hostile values after duplicate-key decoys', auth, type, decoyed, body);
      }
      return make('hostile values', auth, type, bytes, body);
    }),
  );

/** A large delivery (many alerts, long annotations): sometimes just under the body limit, sometimes over. */
export function largeCase(limit: number): fc.Arbitrary<WebhookCase> {
  return fc.tuple(hostileDelivery, fc.integer({ min: limit / 2, max: limit * 2 }), goodAuth).map(([body, size, auth]) => {
    const alert = body.alerts[0];
    const per = JSON.stringify(alert).length + 1;
    body.alerts = Array.from({ length: Math.max(1, Math.floor(size / per)) }, (_, i) => ({ ...alert, fingerprint: `${String(alert.fingerprint).slice(0, 50)}-${i}` }));
    const bytes = Buffer.from(JSON.stringify(body));
    return make(`large (${bytes.length} bytes, limit ${limit})`, auth, 'application/json', bytes, body);
  });
}

/** Requests that must be refused: bad auth, content types, encodings, JSON, shapes, duplicate keys. */
export function invalidCase(limit: number): fc.Arbitrary<WebhookCase> {
  const goodBody = hostileDelivery.map((b) => Object.assign(Buffer.from(JSON.stringify(b)), { sent: b }));
  return fc.oneof(
    fc.tuple(oddAuth, goodBody).map(([auth, body]) => make(`odd auth ${JSON.stringify(auth?.slice(0, 40))}`, auth, 'application/json', body, body.sent)),
    fc
      .tuple(goodAuth, fc.constantFrom(undefined, '', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/json; charset=bogus', 'application/json; charset=utf-16', 'json', '*/*', 'application/json\u0000'), goodBody)
      .map(([auth, type, body]) => make(`content type ${JSON.stringify(type)}`, auth, type?.replace('\u0000', ''), body, body.sent)),
    fc
      .tuple(goodAuth, fc.constantFrom('gzip', 'deflate', 'br', 'compress', 'bogus', 'gzip, gzip'), goodBody)
      .map(([auth, enc, body]) => make(`content-encoding ${enc} on plain bytes`, auth, 'application/json', body, undefined, { 'content-encoding': enc })),
    fc
      .tuple(goodAuth, fc.integer({ min: 1, max: 4 }))
      .map(([auth, mb]) => make(`gzip bomb ${mb} MiB`, auth, 'application/json', gzipSync(Buffer.alloc(mb * 1024 * 1024, 0x20)), undefined, { 'content-encoding': 'gzip' })),
    fc
      .tuple(goodAuth, goodBody, fc.nat())
      .map(([auth, body, cut]) => make('truncated JSON', auth, 'application/json', body.subarray(0, cut % Math.max(1, body.length - 1)))),
    fc.tuple(goodAuth, fc.uint8Array({ minLength: 1, maxLength: 512 })).map(([auth, bytes]) => make('random bytes', auth, 'application/json', Buffer.from(bytes))),
    fc.tuple(goodAuth, fc.jsonValue({ maxDepth: 3 })).map(([auth, v]) => make('some other JSON value', auth, 'application/json', Buffer.from(JSON.stringify(v) ?? 'null'), v)),
    fc.tuple(goodAuth, brokenShape).chain(([auth, [note, body]]) => serialize(body).map((bytes) => make(note, auth, 'application/json', bytes, body))),
    fc
      .tuple(goodAuth, hostileDelivery, fc.constantFrom('receiver', 'groupKey', 'status', 'alerts', 'version'))
      .map(([auth, body, key]) => {
        // A second copy of a key with another type: JSON.parse keeps the last one, so this is refused by the schema.
        const bytes = Buffer.from(`{"${key}":"first",${JSON.stringify(body).slice(1, -1)},"${key}":{"dup":true}}`);
        return make(`duplicate key ${key}`, auth, 'application/json', bytes, JSON.parse(bytes.toString()));
      }),
    fc
      .tuple(goodAuth, fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":'))
      .map(([auth, depth, open]) => make(`deep nesting ${depth}`, auth, 'application/json', Buffer.from(`${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`))),
    fc
      .tuple(goodAuth, hostileDelivery)
      .map(([auth, body]) => make('over the body limit', auth, 'application/json', Buffer.from(JSON.stringify({ ...body, padding: 'x'.repeat(limit) })))),
    goodAuth.map((auth) => make('empty body', auth, 'application/json', Buffer.alloc(0))),
  );
}
