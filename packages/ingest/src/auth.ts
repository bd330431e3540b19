import { hash, timingSafeEqual } from 'node:crypto';
import type { IngestConfig } from '@alertgw/shared';

/** Checks an Authorization header; true when it carries a configured credential (or none are configured). */
export type AuthCheck = ((authorization: string | undefined) => boolean) & { readonly enabled: boolean };

// One-shot hash (no Hash object): this runs on every delivery.
const digest = (s: string): Buffer => hash('sha256', s, 'buffer');

/**
 * Builds the check for what Alertmanager's `http_config` sends: `Authorization: Bearer <token>`
 * (`authorization: {credentials}` or `bearer_token`) and/or `Authorization: Basic <base64>`
 * (`basic_auth`). Comparison is constant-time over sha256 digests (equal length whatever the
 * input) and always runs through every configured credential, so timing tells nothing about
 * which one nearly matched. With nothing configured every request passes; the caller warns.
 */
export function createAuthCheck(auth: IngestConfig['auth']): AuthCheck {
  const bearers = auth.bearerTokens.map(digest);
  const basics = auth.basic.map((b) => digest(`${b.username}:${b.password}`));
  const enabled = bearers.length + basics.length > 0;
  const check = (authorization: string | undefined): boolean => {
    if (!enabled) return true;
    if (!authorization) return false;
    const space = authorization.indexOf(' ');
    if (space < 0) return false;
    const scheme = authorization.slice(0, space).toLowerCase();
    const value = authorization.slice(space + 1).trim();
    if (scheme === 'bearer') return anyEqual(bearers, digest(value));
    if (scheme === 'basic') return anyEqual(basics, digest(Buffer.from(value, 'base64').toString('utf8')));
    return false;
  };
  return Object.assign(check, { enabled });
}

function anyEqual(candidates: Buffer[], presented: Buffer): boolean {
  let ok = false;
  for (const c of candidates) ok = timingSafeEqual(c, presented) || ok;
  return ok;
}
