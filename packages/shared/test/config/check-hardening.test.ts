import { generateKeyPairSync } from 'node:crypto';
import { buildConfig } from '../../src/config/build-config';
import { isLoopbackHost, isPlaceholderSecret } from '../../src/config/check-hardening';
import { GatewayError } from '../../src/errors';

const JWT_SECRET = 'a-jwt-secret-that-is-long-enough-0123456789';
const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The problem lines of a config that must not load, and the whole message (to look for leaks). */
function refused(raw: unknown, env: NodeJS.ProcessEnv = {}): { lines: string[]; message: string } {
  try {
    buildConfig(raw, env);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    const message = (err as GatewayError).message;
    return { lines: message.split('\n').slice(1).map((l) => l.trim()), message };
  }
  throw new Error('the config loaded');
}

describe('the webhook on the network needs credentials', () => {
  const open = (listen: object, auth: object = {}) => ({ ingest: { listen, auth } });

  test('an anonymous webhook on 0.0.0.0 stops the start with one problem at ingest.auth', () => {
    const { lines } = refused(open({ host: '0.0.0.0' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ingest\.auth: has no credentials while ingest\.listen\.host \(0\.0\.0\.0\) is reachable from other machines/);
    expect(lines[0]).toContain('ingest.auth.allowAnonymous: true');
  });

  test('it is listed with every other problem of the file, each with its path', () => {
    const { lines } = refused({ ...open({ host: '::' }), users: [{ name: 'x', phone: '12345' }] });
    expect(lines.map((l) => l.split(':')[0])).toEqual(['ingest.auth', 'users[0].phone']);
  });

  test.each([
    ['loopback by default', open({})],
    ['127.0.0.1', open({ host: '127.0.0.1' })],
    ['::1', open({ host: '::1' })],
    ['localhost', open({ host: 'localhost' })],
    ['a bearer token', { ingest: { listen: { host: '0.0.0.0' }, auth: { bearerTokens: ['${T}'] } } }],
    ['basic auth', { ingest: { listen: { host: '0.0.0.0' }, auth: { basic: [{ username: 'am', password: '${T}' }] } } }],
    ['allowAnonymous: true', open({ host: '0.0.0.0' }, { allowAnonymous: true })],
  ])('loads with %s', (_name, raw) => {
    expect(() => buildConfig(raw, { T: 'a-real-token-9f8e7d' })).not.toThrow();
  });

  test('the default listener is loopback', () => {
    expect(buildConfig({}, {}).ingest.listen.host).toBe('127.0.0.1');
    expect(buildConfig({}, {}).ingest.auth.allowAnonymous).toBe(false);
  });

  test.each([
    ['127.0.0.1', true],
    ['127.10.0.3', true],
    ['::1', true],
    ['[::1]', true],
    ['LOCALHOST', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
    ['ingest.example.com', false],
    ['127.0.0.1.example.com', false],
  ])('isLoopbackHost(%s) = %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('placeholder secrets', () => {
  // Every placeholder the repository has shipped (deploy/ and docker-compose.yml before this check).
  const SHIPPED = ['change-me', 'change-me-ingest-token', 'change-me-jwt-secret-0123456789abcdef0123', 'change-me-smtp-password'];

  test.each(SHIPPED.concat('CHANGEME', 'changeme123', 'replace-me-please', '<your token>', 'alertgw_change_me', 'TOKEN_CHANGEME'))('%s is a placeholder', (value) => {
    expect(isPlaceholderSecret(value)).toBe(true);
  });

  test.each(['9f8e7d6c5b4a', 'test-token-123', 'secret', 'exchange-meter', 'change-meter'])('%s is not', (value) => {
    expect(isPlaceholderSecret(value)).toBe(false);
  });

  test('are refused at every secret key, named by path, the value never echoed', () => {
    const raw = {
      ingest: { auth: { bearerTokens: ['${GOOD}', '${TOKEN}'], basic: [{ username: 'am', password: '${PW}' }] } },
      auth: { jwt: { hs256Secret: '${JWT}' } },
      email: { smtp: { host: 'smtp.example.com', auth: { user: 'u', pass: '${SMTP}' } } },
      alertmanager: { url: 'http://am:9093', bearerToken: '${AM}' },
      sms: { tencent: { secretId: '${SID}', secretKey: '${SKEY}' } },
      redis: { url: '${REDIS_URL}' },
      // Real-looking Tencent secrets would also need templates; a disabled channel needs none.
      channels: { sms: { enabled: false } },
    };
    const env = {
      GOOD: 'a-real-token-9f8e7d',
      TOKEN: 'change-me-ingest-token',
      PW: 'change-me',
      JWT: 'change-me-jwt-secret-0123456789abcdef0123',
      SMTP: 'change-me-smtp-password',
      AM: '<alertmanager token>',
      SID: 'AKIDreal',
      SKEY: 'replace-me',
      REDIS_URL: 'redis://:change-me@redis:6379/0',
    };
    const { lines, message } = refused(raw, env);
    expect(lines.map((l) => l.split(': ')[0])).toEqual([
      'alertmanager.bearerToken',
      'auth.jwt.hs256Secret',
      'email.smtp.auth.pass',
      'ingest.auth.basic[0].password',
      'ingest.auth.bearerTokens[1]',
      'redis.url',
      'sms.tencent.secretKey',
    ]);
    for (const value of Object.values(env)) expect(message).not.toContain(value);
  });

  test('a Redis URL with a real password, or none, loads', () => {
    expect(buildConfig({ redis: { url: '${U}' } }, { U: 'redis://:9f8e7d6c@redis:6379/0' }).redis.url).toBe('redis://:9f8e7d6c@redis:6379/0');
    expect(() => buildConfig({ redis: { url: 'redis://127.0.0.1:6379' } }, {})).not.toThrow();
  });
});

describe('credentials in URLs', () => {
  test('are refused in alertmanager.url, email.http.url, sms.tencent.endpoint and email.smtp.host, never echoed', () => {
    const raw = {
      alertmanager: { url: 'http://admin:am-pass-1@am:9093' },
      email: { transport: 'http', http: { url: 'https://mailer:mail-pass-2@mail.example.com/send', bearerToken: '${T}' }, smtp: { host: 'user@smtp.example.com' } },
      sms: { tencent: { endpoint: 'key-3@127.0.0.1:8080' } },
    };
    const { lines, message } = refused(raw, { T: 'a-real-token-9f8e7d' });
    expect(lines.map((l) => l.split(': ')[0])).toEqual(['alertmanager.url', 'email.http.url', 'email.smtp.host', 'sms.tencent.endpoint']);
    expect(lines[0]).toContain('use alertmanager.bearerToken or alertmanager.basic');
    for (const secret of ['am-pass-1', 'mail-pass-2', 'key-3', 'admin', 'mailer']) expect(message).not.toContain(secret);
  });

  test('a user name alone counts, and so does one the environment put there', () => {
    expect(refused({ alertmanager: { url: '${AM}' } }, { AM: 'https://token@am.example.com' }).lines).toEqual([
      'alertmanager.url: must not carry credentials (user:password@): use alertmanager.bearerToken or alertmanager.basic, from the environment',
    ]);
  });

  test('the Redis URL may carry its password when the environment puts it there (a literal one is a secret in the file)', () => {
    expect(() => buildConfig({ redis: { url: '${REDIS_URL}' } }, { REDIS_URL: 'redis://alertgw:9f8e7d6c@redis:6379/0' })).not.toThrow();
    expect(() => buildConfig({ redis: { url: 'redis://alertgw:9f8e7d6c@redis:6379/0' } }, {})).toThrow(/redis\.url: holds a password/);
  });

});

describe('auth.jwt hardening', () => {
  test('a public key needs an audience', () => {
    expect(refused({ auth: { jwt: { publicKey: '${K}' } } }, { K: RSA_PEM }).lines).toEqual([
      'auth.jwt.audience: is required with auth.jwt.publicKey: your identity provider signs tokens for other applications with the same key; set the `aud` it issues for alertgw',
    ]);
    expect(buildConfig({ auth: { jwt: { publicKey: '${K}', audience: 'alertgw' } } }, { K: RSA_PEM }).auth.jwt?.audience).toBe('alertgw');
    // The HS256 secret is alertgw's own: nobody else signs with it, so no audience is needed.
    expect(() => buildConfig({ auth: { jwt: { hs256Secret: '${S}' } } }, { S: JWT_SECRET })).not.toThrow();
  });

  test('maxTokenAgeSeconds defaults to a day and stays between a minute and 30 days', () => {
    expect(buildConfig({ auth: { jwt: { hs256Secret: '${S}' } } }, { S: JWT_SECRET }).auth.jwt?.maxTokenAgeSeconds).toBe(86_400);
    expect(refused({ auth: { jwt: { hs256Secret: '${S}', maxTokenAgeSeconds: 10 } } }, { S: JWT_SECRET }).lines).toEqual(['auth.jwt.maxTokenAgeSeconds: must be >= 60']);
    expect(refused({ auth: { jwt: { hs256Secret: '${S}', maxTokenAgeSeconds: 3_000_000 } } }, { S: JWT_SECRET }).lines).toEqual([
      'auth.jwt.maxTokenAgeSeconds: must be <= 2592000',
    ]);
  });
});
