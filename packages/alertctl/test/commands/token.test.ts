import { jwtVerify } from 'jose';
import { cliSetup, type CliSetup } from '../support/cli';

const SECRET = 'alertctl-token-test-secret-0123456789-abcdef';

describe('alertctl token', () => {
  let setup: CliSetup;
  beforeEach(() => {
    setup = cliSetup((tree) => {
      tree.auth = { jwt: { hs256Secret: '${ALERTGW_JWT_SECRET}', issuer: 'alertgw', audience: 'ops' } };
    });
  });
  afterEach(() => setup.cleanup());

  it('prints only an HS256 token for the subject and role, expiring after --ttl, that the configured secret verifies', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await setup.run(['token', '--sub', 'alice', '--role', 'operator', '--ttl', '12h'], { env: { ALERTGW_JWT_SECRET: SECRET } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload, protectedHeader } = await jwtVerify(r.stdout.trim(), new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
      issuer: 'alertgw',
      audience: 'ops',
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'alice', role: 'operator' });
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    await expect(jwtVerify(r.stdout.trim(), new TextEncoder().encode(`${SECRET}x`))).rejects.toThrow();
  });

  it('defaults to one hour, and says how to configure a missing secret', async () => {
    const ok = await setup.run(['token', '--sub', 'bob', '--role', 'viewer'], { env: { ALERTGW_JWT_SECRET: SECRET } });
    const { payload } = await jwtVerify(ok.stdout.trim(), new TextEncoder().encode(SECRET), { issuer: 'alertgw', audience: 'ops' });
    expect(payload.exp! - payload.iat!).toBe(3600);

    const missing = await setup.run(['token', '--sub', 'bob', '--role', 'viewer'], { env: { ALERTGW_JWT_SECRET: '' } });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/^alertctl token: auth\.jwt\.hs256Secret is not set/);
  });
});
