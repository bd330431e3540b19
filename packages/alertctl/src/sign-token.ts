import { createHmac } from 'node:crypto';

/** What a management API token says. */
export interface TokenClaims {
  sub: string;
  role: 'viewer' | 'operator';
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
  iss?: string;
  aud?: string;
}

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/**
 * Signs a compact JWT with HS256 (RFC 7519 / RFC 7515): what ingest's JWT gate verifies with
 * auth.jwt.hs256Secret. A few lines of node:crypto, so the CLI needs no JOSE library.
 */
export function signHs256(claims: TokenClaims, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(signature)}`;
}
