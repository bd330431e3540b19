import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT, UnsecuredJWT } from 'jose';
import { buildConfig, type JwtConfig } from '@alertgw/shared';
import { createJwtAuth, principalOf } from '../src/jwt-auth';
import { request } from './support/harness';

const SECRET = 'jwt-auth-test-secret-0123456789-abcdefghij';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: typeof rsa.publicKey) => k.export({ type: 'spki', format: 'pem' }).toString();

/** A real HTTP server with one viewer and one operator endpoint behind the gate. */
async function serve(jwt: Record<string, unknown> | undefined): Promise<{ url: string; close: () => Promise<void> }> {
  const env = { JWT_SECRET: SECRET, JWT_PUBLIC_KEY: typeof jwt?.publicKey === 'string' ? jwt.publicKey : '' };
  const raw = jwt ? { auth: { jwt: { ...jwt, ...(jwt.hs256Secret ? { hs256Secret: '${JWT_SECRET}' } : {}), ...(jwt.publicKey ? { publicKey: '${JWT_PUBLIC_KEY}' } : {}) } } } : {};
  const config = buildConfig(raw, env);
  const auth = createJwtAuth(config.auth.jwt as JwtConfig | undefined);
  const app = express();
  app.get('/read', auth.require('viewer'), (_req, res) => {
    res.json(principalOf(res));
  });
  app.post('/act', auth.require('operator'), (_req, res) => {
    res.json(principalOf(res));
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

type Claims = { role?: unknown; roles?: unknown; sub?: string; exp?: number; iss?: string; aud?: string };
const now = () => Math.floor(Date.now() / 1000);

async function hs256(claims: Claims, secret = SECRET): Promise<string> {
  const { sub, exp, iss, aud, ...rest } = claims;
  let jwt = new SignJWT(rest).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (sub !== undefined) jwt = jwt.setSubject(sub);
  if (exp !== undefined) jwt = jwt.setExpirationTime(exp);
  if (iss) jwt = jwt.setIssuer(iss);
  if (aud) jwt = jwt.setAudience(aud);
  return jwt.sign(new TextEncoder().encode(secret));
}

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const UNAUTHORIZED = { error: 'unauthorized', message: 'missing, invalid or expired token' };

describe('management API JWT gate', () => {
  describe('HS256', () => {
    let srv: Awaited<ReturnType<typeof serve>>;
    beforeAll(async () => {
      srv = await serve({ hs256Secret: SECRET });
    });
    afterAll(() => srv.close());

    it('lets a valid viewer read and an operator act, naming the subject', async () => {
      const viewer = await hs256({ sub: 'victor', role: 'viewer', exp: now() + 60 });
      expect((await request(srv.url, 'GET', '/read', auth(viewer))).body).toEqual({ sub: 'victor', role: 'viewer' });
      const operator = await hs256({ sub: 'alice', roles: ['viewer', 'operator'], exp: now() + 60 });
      expect((await request(srv.url, 'POST', '/act', auth(operator))).body).toEqual({ sub: 'alice', role: 'operator' });
      expect((await request(srv.url, 'GET', '/read', auth(operator))).status).toBe(200);
    });

    it('answers 401, always with the same terse message, for missing, garbage, expired, forged or incomplete tokens', async () => {
      const rsaPrivate = rsa.privateKey;
      const cases: Array<[string, Record<string, string>]> = [
        ['no header', {}],
        ['not bearer', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
        ['garbage', auth('not.a.jwt')],
        ['expired', auth(await hs256({ sub: 'alice', role: 'operator', exp: now() - 120 }))],
        ['forged: another secret', auth(await hs256({ sub: 'alice', role: 'operator', exp: now() + 60 }, 'another-secret-0123456789-0123456789-xx'))],
        ['forged: alg none', auth(new UnsecuredJWT({ role: 'operator' }).setSubject('alice').setExpirationTime(now() + 60).encode())],
        ['forged: RS256 with a key we do not trust', auth(await new SignJWT({ role: 'operator' }).setProtectedHeader({ alg: 'RS256' }).setSubject('alice').setExpirationTime(now() + 60).sign(rsaPrivate))],
        ['tampered payload', auth(await tamper(await hs256({ sub: 'victor', role: 'viewer', exp: now() + 60 })))],
        ['no exp', auth(await hs256({ sub: 'alice', role: 'operator' }))],
        ['no sub', auth(await hs256({ role: 'operator', exp: now() + 60 }))],
      ];
      for (const [name, headers] of cases) {
        const res = await request(srv.url, 'GET', '/read', headers);
        expect([name, res.status, res.body]).toEqual([name, 401, UNAUTHORIZED]);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="alertgw"');
      }
    });

    it('answers 403 for a valid token with too weak a role, or none', async () => {
      const viewer = await hs256({ sub: 'victor', role: 'viewer', exp: now() + 60 });
      expect(await request(srv.url, 'POST', '/act', auth(viewer))).toMatchObject({ status: 403, body: { error: 'forbidden', message: 'this needs the operator role' } });
      const stranger = await hs256({ sub: 'sam', role: 'admin', exp: now() + 60 });
      expect((await request(srv.url, 'GET', '/read', auth(stranger))).status).toBe(403);
    });
  });

  it('verifies RS256 and ES256 tokens against the configured public key, and only the algorithm of that key', async () => {
    for (const [alg, pair] of [['RS256', rsa], ['ES256', ec]] as const) {
      const srv = await serve({ publicKey: pem(pair.publicKey), audience: 'alertgw' });
      try {
        const sso = () => new SignJWT({ role: 'operator' }).setProtectedHeader({ alg }).setSubject('sso-user').setIssuedAt().setExpirationTime(now() + 60);
        const good = await sso().setAudience('alertgw').sign(pair.privateKey);
        expect((await request(srv.url, 'POST', '/act', auth(good))).body).toEqual({ sub: 'sso-user', role: 'operator' });
        // The same SSO's token for another application, or for none, does not open this API.
        for (const other of [await sso().setAudience('grafana').sign(pair.privateKey), await sso().sign(pair.privateKey)]) {
          expect(await request(srv.url, 'POST', '/act', auth(other))).toMatchObject({ status: 401, body: UNAUTHORIZED });
        }
        // The classic confusion: HS256 "signed" with the public key's PEM as the secret.
        const confused = await hs256({ sub: 'mallory', role: 'operator', exp: now() + 60 }, pem(pair.publicKey));
        expect((await request(srv.url, 'POST', '/act', auth(confused))).status).toBe(401);
        const expired = await new SignJWT({ role: 'operator' }).setProtectedHeader({ alg }).setSubject('sso-user').setExpirationTime(now() - 120).sign(pair.privateKey);
        expect((await request(srv.url, 'POST', '/act', auth(expired))).status).toBe(401);
      } finally {
        await srv.close();
      }
    }
  });

  describe('token age (auth.jwt.maxTokenAgeSeconds)', () => {
    let srv: Awaited<ReturnType<typeof serve>>;
    beforeAll(async () => {
      srv = await serve({ hs256Secret: SECRET, maxTokenAgeSeconds: 3600, clockToleranceSeconds: 30 });
    });
    afterAll(() => srv.close());

    const signed = (iat: number | undefined, exp: number) => {
      let jwt = new SignJWT({ role: 'viewer' }).setProtectedHeader({ alg: 'HS256' }).setSubject('victor').setExpirationTime(exp);
      if (iat !== undefined) jwt = jwt.setIssuedAt(iat);
      return jwt.sign(new TextEncoder().encode(SECRET));
    };

    it('accepts a token living exactly the maximum, and one issued within the clock skew', async () => {
      const t = now();
      expect((await request(srv.url, 'GET', '/read', auth(await signed(t, t + 3600)))).status).toBe(200);
      expect((await request(srv.url, 'GET', '/read', auth(await signed(t + 20, t + 600)))).status).toBe(200);
    });

    it.each([
      ['without iat', (t: number) => [undefined, t + 60] as const, /^token has no iat \(issued-at\) claim/],
      ['living longer than the maximum', (t: number) => [t, t + 3601] as const, /^token lifetime \(exp - iat\) exceeds auth\.jwt\.maxTokenAgeSeconds \(3600 s\)/],
      ['issued long ago with a far exp', (t: number) => [t - 86_400, t + 60] as const, /exceeds auth\.jwt\.maxTokenAgeSeconds/],
      ['issued in the future beyond the skew', (t: number) => [t + 120, t + 600] as const, /^token iat \(issued-at\) lies in the future/],
    ])('refuses a correctly signed token %s with 401 and the reason', async (_name, times, reason) => {
      const [iat, exp] = times(now());
      const res = await request(srv.url, 'GET', '/read', auth(await signed(iat, exp)));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'unauthorized', message: expect.stringMatching(reason) });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="alertgw"');
    });

    it('tells a forger nothing: a forged long-lived token gets the terse answer', async () => {
      const t = now();
      const forged = await new SignJWT({ role: 'operator' }).setProtectedHeader({ alg: 'HS256' }).setSubject('m').setExpirationTime(t + 86_400 * 365).sign(new TextEncoder().encode(`${SECRET}x`));
      expect(await request(srv.url, 'GET', '/read', auth(forged))).toMatchObject({ status: 401, body: UNAUTHORIZED });
    });
  });

  it('requires the configured issuer and audience', async () => {
    const srv = await serve({ hs256Secret: SECRET, issuer: 'https://sso.example.com', audience: 'alertgw' });
    try {
      const right = await hs256({ sub: 'a', role: 'viewer', exp: now() + 60, iss: 'https://sso.example.com', aud: 'alertgw' });
      expect((await request(srv.url, 'GET', '/read', auth(right))).status).toBe(200);
      const wrongAud = await hs256({ sub: 'a', role: 'viewer', exp: now() + 60, iss: 'https://sso.example.com', aud: 'grafana' });
      expect((await request(srv.url, 'GET', '/read', auth(wrongAud))).status).toBe(401);
      const noIss = await hs256({ sub: 'a', role: 'viewer', exp: now() + 60, aud: 'alertgw' });
      expect((await request(srv.url, 'GET', '/read', auth(noIss))).status).toBe(401);
    } finally {
      await srv.close();
    }
  });

  it('refuses everything with 503 when no key is configured, rather than staying open', async () => {
    for (const jwt of [undefined, { hs256Secret: '' }]) {
      const srv = await serve(jwt);
      try {
        const token = await hs256({ sub: 'alice', role: 'operator', exp: now() + 60 });
        const res = await request(srv.url, 'GET', '/read', auth(token));
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: 'management_api_disabled', message: 'management API disabled: configure auth.jwt' });
      } finally {
        await srv.close();
      }
    }
  });
});

/** The token with its payload's role changed to operator, signature kept. */
async function tamper(token: string): Promise<string> {
  const [head, payload, sig] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
  claims.role = 'operator';
  return `${head}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
}
