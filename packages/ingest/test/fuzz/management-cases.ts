import fc from 'fast-check';
import { hostileString, HOSTILE_STRINGS } from '@alertgw/testkit';

/** One generated management API request; `auth` indexes the tokens the test minted. */
export interface ApiCase extends fc.WithToStringMethod {
  note: string;
  method: string;
  path: string;
  auth: number;
  headers: Record<string, string>;
  body?: Buffer;
}

/** Percent-encodes the UTF-8 bytes of any string (encodeURIComponent throws on lone surrogates). */
export function percentEncode(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Path segments: encoded hostile text, raw traversal and escapes, known names, huge ones. */
function segment(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileString({ maxLength: 2_000 }).map((s) => percentEncode(s)) },
    { weight: 2, arbitrary: fc.constantFrom('..', '.', '%2F', '%2f..%2f', '%00', '%', '%zz', '%2e%2e', '..%2F..', 'a%2Fb', ';', '*', '{ag}', '~', '%u0041', '%C0%AE', '%ED%A0%80', '+', '%20') },
    { weight: 2, arbitrary: fc.constantFrom(...known).map(percentEncode) },
    { weight: 1, arbitrary: fc.constantFrom(5_000, 20_000).map((n) => 'x'.repeat(n)) },
  );
}

/** Alertmanager matchers, good and hostile: every operator, regex bombs, broken syntax. */
export const matcher: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constantFrom('team', 'severity', 'alertname', 'x', '__name__', '"service.name"', '支付'), hostileString({ maxLength: 100 })),
        fc.constantFrom('=', '!=', '=~', '!~', '==', '~', ''),
        fc.oneof(
          fc.constantFrom('(a+)+$', '(a|a)*$', '([a-zA-Z]+)*$', '(a|aa)*b', '.*', '.+', '[', '\\', '(?i)DB', '(?P<x>a)', 'a{1000000}', 'a{2,1}', '\\p{L}+', '(?=a)', 'a**', '\\d+', 'db|web', '\\u0000'),
          hostileString({ maxLength: 200 }),
        ),
      )
      .map(([name, op, value]) => `${name}${op}${JSON.stringify(value)}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('{team="db"}', '{a="b",c=~"d"}', 'team="db', 'team=db', '{', '}', '{}', ',', 'a="b",,c="d"', '"a"="b"', 'a="\\x"', 'a="\\u12"') },
  { weight: 1, arbitrary: hostileString({ maxLength: 2_000 }) },
);

const json = (v: unknown) => Buffer.from(JSON.stringify(v) ?? 'null');

/** Bodies: the right shape with hostile values, wrong shapes, unknown fields, non-JSON. */
function body(shape: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: shape.map(json) },
    { weight: 1, arbitrary: fc.tuple(shape, hostileString({ maxLength: 50 }), fc.jsonValue({ maxDepth: 2 })).map(([o, k, v]) => json({ ...o, [k]: v })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"comment":', 'null', '[]', '"x"', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', `{"comment":"${'x'.repeat(300_000)}"}`).map((s) => Buffer.from(s)) },
  );
}

const text = (maxLength = 3_000) => fc.oneof({ weight: 3, arbitrary: hostileString({ maxLength }) }, { weight: 1, arbitrary: fc.constantFrom('zhangsan', 'lisi', 'oncall-a', 'group:dba', 'group:oncall', 'email', 'sms') });
const stringOrNot = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: s }, { weight: 1, arbitrary: fc.constantFrom<unknown>(1, null, true, [], {}, ['x']) });
const list = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: fc.array(s, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.constantFrom<unknown>('x', null, 1, [1], {}) });

const ACTION_BODIES: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  ack: fc.record({ comment: stringOrNot(text()), silence: stringOrNot(fc.oneof(fc.constantFrom('2h', '0s', '-1h', '1e9h', '999999h', '1h30m', '5m', '', 'P1D'), text(50))) }, { requiredKeys: [] }),
  unack: fc.constant({}),
  comment: fc.record({ comment: stringOrNot(text(5_000)) }, { requiredKeys: [] }),
  assign: fc.record({ user: stringOrNot(text(300)) }, { requiredKeys: [] }),
};

const userBody = fc.record(
  { email: stringOrNot(fc.oneof(text(300), fc.constant('x@example.com'))), phone: stringOrNot(fc.oneof(text(50), fc.constant('+8613800000077'))), groups: list(text(200)), name: stringOrNot(text(200)) },
  { requiredKeys: [] },
);
const routeBody = fc.record(
  {
    matchers: list(matcher),
    notify: list(text(200)),
    channels: list(text(20)),
    cc: list(fc.oneof(text(200), fc.constant('cc@example.com'))),
    escalate: fc.oneof(fc.constant<unknown>(undefined), fc.array(fc.record({ afterMinutes: fc.oneof(fc.double(), fc.constantFrom<unknown>(0, 1, -1, '5', 1e300)), notify: list(text(200)), severities: list(text(30)) }, { requiredKeys: [] }), { maxLength: 2 })),
    name: stringOrNot(text(200)),
  },
  { requiredKeys: [] },
);

/** A query string of filters and paging, hostile values and repeated or nested keys included. */
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom('matcher', 'matcher', 'matcher', 'status', 'severity', 'offset', 'limit', 'channel', 'matcher[]', 'matcher[a]', 'x', '__proto__'),
      fc.oneof(matcher, fc.constantFrom('firing', 'resolved', 'pending', 'dead', '0', '-1', '500', '501', '1e3', '99999999999', 'email'), hostileString({ maxLength: 500 })),
      fc.boolean(),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v, raw]) => `${k}=${raw ? v.replace(/[^\x21-\x7e]/g, '') : percentEncode(v)}`).join('&')}` : ''));

/** Every kind of management request, for tokens numbered 0 … tokens-1 (0-4 good ones) and none (= tokens). */
export function apiCase(known: { fingerprints: readonly string[]; users: readonly string[]; routes: readonly string[] }, tokens: number): fc.Arbitrary<ApiCase> {
  const fp = segment(known.fingerprints);
  const name = segment([...known.users, ...known.routes, 'dba', 'oncall']);
  // Mostly the good tokens (0-4: viewers and operators), so requests get past the gate.
  const auth = fc.oneof({ weight: 7, arbitrary: fc.integer({ min: 0, max: Math.min(4, tokens) }) }, { weight: 3, arbitrary: fc.nat(tokens) });
  const type = fc.constantFrom<Array<string | undefined>>('application/json', 'application/json', 'application/json', 'text/plain', undefined, 'application/json; charset=utf-16');
  const req = (note: string, method: string, path: fc.Arbitrary<string>, b?: fc.Arbitrary<Buffer>) =>
    fc.tuple(path, auth, type, b ?? fc.constant(undefined)).map(([p, a, t, bytes]): ApiCase => ({
      [fc.toStringMethod]: () => `${note}: ${method} ${p.slice(0, 200)} (token ${a}, ${bytes?.length ?? 0} bytes)`,
      note,
      method,
      path: p,
      auth: a,
      headers: bytes && t ? { 'content-type': t } : {},
      body: bytes,
    }));
  return fc.oneof(
    { weight: 4, arbitrary: req('list alerts', 'GET', query.map((q) => `/api/v1/alerts${q}`)) },
    { weight: 2, arbitrary: req('one alert', 'GET', fp.map((f) => `/api/v1/alerts/${f}`)) },
    ...Object.entries(ACTION_BODIES).map(([action, shape]) => ({ weight: 2, arbitrary: req(action, 'POST', fp.map((f) => `/api/v1/alerts/${f}/${action}`), body(shape)) })),
    { weight: 1, arbitrary: req('odd action', 'POST', fc.tuple(fp, segment(['ack', 'ACK', 'ack/', 'comment.json'])).map(([f, a]) => `/api/v1/alerts/${f}/${a}`), body(ACTION_BODIES.comment!)) },
    { weight: 2, arbitrary: req('tasks', 'GET', query.map((q) => `/api/v1/tasks${q}`)) },
    { weight: 1, arbitrary: req('one task', 'GET', segment(['email:1', 'sms:1', '1', 'email:', ':1', 'email:x']).map((id) => `/api/v1/tasks/${id}`)) },
    { weight: 2, arbitrary: req('directory read', 'GET', fc.tuple(fc.constantFrom('directory', 'users', 'groups', 'routes', 'mandatory'), fc.option(name, { nil: undefined })).map(([k, n]) => `/api/v1/${k}${n === undefined ? '' : `/${n}`}`)) },
    { weight: 2, arbitrary: req('put user', 'PUT', name.map((n) => `/api/v1/users/${n}`), body(userBody)) },
    { weight: 1, arbitrary: req('put group', 'PUT', name.map((n) => `/api/v1/groups/${n}`), body(fc.record({ members: list(text(200)) }, { requiredKeys: [] }))) },
    { weight: 2, arbitrary: req('put route', 'PUT', name.map((n) => `/api/v1/routes/${n}`), body(routeBody)) },
    { weight: 1, arbitrary: req('put mandatory', 'PUT', fc.constant('/api/v1/mandatory'), body(fc.record({ notify: list(text(200)) }, { requiredKeys: [] }))) },
    { weight: 1, arbitrary: req('delete', 'DELETE', fc.tuple(fc.constantFrom('users', 'groups', 'routes', 'mandatory', 'directory'), name).map(([k, n]) => `/api/v1/${k}/${n}`)) },
    { weight: 2, arbitrary: req('route test', 'POST', fc.constant('/api/v1/routes/test'), body(fc.record({ labels: fc.oneof(fc.dictionary(text(200), text(2_000), { maxKeys: 6 }), fc.constantFrom<unknown>(null, [], 'x', { a: 1 })), status: stringOrNot(fc.constantFrom('firing', 'resolved', 'x')) }, { requiredKeys: [] }))) },
    { weight: 1, arbitrary: req('anything under /api', 'GET', fc.array(segment(HOSTILE_STRINGS), { minLength: 1, maxLength: 4 }).map((s) => `/api/${s.join('/')}`)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'DELETE', 'POST'), fc.constantFrom('/api/v1/alerts', '/api/v1/directory', '/api/v1/routes/test', '/api/v1/tasks', '/api')).chain(([m, p]) => req('odd method', m, fc.constant(p))) },
  );
}
