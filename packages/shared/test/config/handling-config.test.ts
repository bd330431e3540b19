import { generateKeyPairSync } from 'node:crypto';
import { buildConfig } from '../../src/config/build-config';
import { jwtAlgorithms } from '../../src/config/check-config';
import { GatewayError } from '../../src/errors';

const SECRET = 'a-jwt-secret-that-is-long-enough-0123456789';
const pem = (type: 'rsa' | 'ec', curve?: string) =>
  (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: curve! })).publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    buildConfig(raw, env);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return (err as GatewayError).message.split('\n').slice(1).map((l) => l.trim());
  }
  return [];
}

describe('auth.jwt, alertmanager and escalate in the config', () => {
  test('auth.jwt: the secret only from the environment, long enough, never echoed', () => {
    expect(problems({ auth: { jwt: { hs256Secret: SECRET } } })).toEqual([
      'auth.jwt.hs256Secret: must come from an environment variable (${NAME} or NAME_FILE), not the file',
    ]);
    const short = problems({ auth: { jwt: { hs256Secret: '${S}' } } }, { S: 'short-secret' });
    expect(short).toEqual(['auth.jwt.hs256Secret: must be at least 32 characters (256 bits, RFC 7518 3.2); e.g. openssl rand -base64 48']);
    expect(short.join()).not.toContain('short-secret');
    const cfg = buildConfig({ auth: { jwt: { hs256Secret: '${S}' } } }, { S: SECRET });
    expect(cfg.auth.jwt).toEqual({ hs256Secret: SECRET, publicKey: '', algorithms: [], clockToleranceSeconds: 30, maxTokenAgeSeconds: 86400 });
    expect(jwtAlgorithms(cfg.auth.jwt!)).toEqual(['HS256']);
  });

  test('auth.jwt: public keys give RS256 or ES256, and algorithms must fit the keys', () => {
    const rsa = pem('rsa');
    const ec = pem('ec', 'P-256');
    expect(jwtAlgorithms(buildConfig({ auth: { jwt: { publicKey: '${K}', audience: 'alertgw' } } }, { K: rsa }).auth.jwt!)).toEqual(['RS256']);
    expect(jwtAlgorithms(buildConfig({ auth: { jwt: { publicKey: '${K}', audience: 'alertgw', hs256Secret: '${S}' } } }, { K: ec, S: SECRET }).auth.jwt!)).toEqual(['HS256', 'ES256']);
    expect(problems({ auth: { jwt: { publicKey: 'not a key', audience: 'alertgw' } } })).toEqual(['auth.jwt.publicKey: is not a PEM public key ("-----BEGIN PUBLIC KEY-----", RSA or EC P-256)']);
    expect(problems({ auth: { jwt: { publicKey: '${K}', audience: 'alertgw', algorithms: ['ES256', 'HS256'] } } }, { K: rsa })).toEqual([
      'auth.jwt.algorithms[0]: ES256 does not fit the public key (rsa key)',
      'auth.jwt.algorithms[1]: HS256 needs auth.jwt.hs256Secret',
    ]);
    expect(problems({ auth: { jwt: { publicKey: '${K}', audience: 'alertgw' } } }, { K: pem('ec', 'P-384') })).toEqual([
      'auth.jwt.publicKey: ec key on secp384r1 is not supported: use an RSA key (RS256) or an EC P-256 key (ES256)',
    ]);
    expect(problems({ auth: { jwt: { algorithms: ['PS256'] } } })).toEqual(['auth.jwt.algorithms[0]: must be one of: "HS256", "RS256", "ES256"']);
  });

  test('alertmanager: a URL with a scheme, secrets from the environment', () => {
    expect(buildConfig({ alertmanager: { url: 'http://am:9093' } }, {}).alertmanager).toEqual({ url: 'http://am:9093', timeoutMs: 5000, watchIntervalMs: 30000, goneAfterMs: 180000 });
    expect(problems({ alertmanager: { url: 'am:9093', bearerToken: 'literal' } })).toEqual([
      'alertmanager.bearerToken: must come from an environment variable (${NAME} or NAME_FILE), not the file',
      'alertmanager.url: must match pattern "^(https?://[^\\s/]+.*)?$"',
    ]);
  });

  test('escalate: tiers with a positive delay and reachable targets', () => {
    const users = [
      { name: 'alice', phone: '+8613800000001', groups: ['ops'] },
      { name: 'carol', email: 'carol@example.com', groups: ['mail-only'] },
    ];
    const route = (escalate: unknown) => ({ users, routes: [{ name: 'r', matchers: ['team="db"'], notify: ['alice'], escalate }] });
    expect(buildConfig(route([{ afterMinutes: 0.5, notify: ['group:ops'], severities: ['critical'] }]), {}).routes[0]!.escalate).toEqual([
      { afterMinutes: 0.5, notify: ['group:ops'], severities: ['critical'] },
    ]);
    expect(problems(route([{ afterMinutes: 0, notify: [] }, { afterMinutes: 5, notify: ['bob', 'group:nobody'] }, { afterMinutes: 5, notify: ['group:mail-only'] }]))).toEqual([
      'routes[0].escalate[0].afterMinutes: must be > 0',
      'routes[0].escalate[0].notify: must NOT have fewer than 1 items',
      'routes[0].escalate[1].notify[0]: unknown user "bob" (not in users; write "group:<name>" for a group)',
      'routes[0].escalate[1].notify[1]: group "nobody" has no members in users',
      'routes[0].escalate[2].notify: nobody here has a phone: escalations are sent by SMS',
    ]);
  });
});
