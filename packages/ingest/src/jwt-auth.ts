import { createPublicKey, type KeyObject } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { jwtAlgorithms, type JwtConfig, type Logger } from '@alertgw/shared';
import { sendError } from './http-reply';

/** Roles of the management API; an operator may do everything a viewer may. */
export type Role = 'viewer' | 'operator';

/** Who made a request, from a verified token; handlers find it in res.locals.principal. */
export interface Principal {
  /** The token's `sub`: written into timelines and silences as who acted. */
  sub: string;
  role: Role;
}

/** The management API's gate. */
export interface JwtAuth {
  /** False when auth.jwt names no key: every guarded request then gets 503. */
  readonly enabled: boolean;
  /** Middleware letting through requests whose token is valid and carries `role` (or a stronger one). */
  require(role: Role): RequestHandler;
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2 };
/** What a request gets from the gate: who it is, or why not. */
type Verdict = { kind: 'ok'; principal: Principal } | { kind: 'unauthorized'; message: string } | { kind: 'no-role' };
/** The one answer for tokens that are absent, malformed or fail a check: it tells a forger nothing. */
const UNAUTHORIZED: Verdict = { kind: 'unauthorized', message: 'missing, invalid or expired token' };

/**
 * Builds the JWT gate: `Authorization: Bearer <jwt>`, signature checked against the HS256
 * secret or the RS256/ES256 public key (only the configured algorithms, so a token cannot
 * pick its own), `exp` required and checked, `iss`/`aud` when configured, and a bounded age:
 * `iat` required, not in the future, and exp - iat at most maxTokenAgeSeconds. The role comes
 * from the `role` claim or the `roles` list. Failures answer 401 (no, bad, forged or expired
 * token) or 403 (valid token, role too weak). A token whose signature fails gets one short
 * message that does not say which check failed (the reason goes to the debug log); a genuine
 * token refused for its age is told why, so its holder knows to ask for a shorter one.
 * Without a key, 503 "management API disabled".
 */
export function createJwtAuth(config: JwtConfig | undefined, logger?: Logger): JwtAuth {
  const algorithms = config ? jwtAlgorithms(config) : [];
  if (!config || algorithms.length === 0) {
    const disabled: RequestHandler = (_req, res) => sendError(res, 503, 'management_api_disabled', 'management API disabled: configure auth.jwt');
    return { enabled: false, require: () => disabled };
  }
  const secret = config.hs256Secret ? new TextEncoder().encode(config.hs256Secret) : undefined;
  const publicKey: KeyObject | undefined = config.publicKey ? createPublicKey(config.publicKey) : undefined;
  const options = {
    algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp', 'sub'],
  };
  const maxAge = config.maxTokenAgeSeconds;
  // jose refuses an alg outside `algorithms` before asking for a key; HS256 never gets the public key.
  const keyFor = (header: { alg?: string }): Uint8Array | KeyObject => {
    const key = header.alg === 'HS256' ? secret : publicKey;
    if (!key) throw new joseErrors.JOSEAlgNotAllowed('no key for this algorithm');
    return key;
  };

  const verify = async (authorization: string | undefined): Promise<Verdict> => {
    const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(authorization ?? '');
    if (!match) return UNAUTHORIZED;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, keyFor, options));
    } catch (err) {
      logger?.debug('management API token refused', { reason: (err as { code?: string }).code ?? (err as Error).name });
      return UNAUTHORIZED;
    }
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') return UNAUTHORIZED;
    const tooOld = ageProblem(payload, maxAge, config.clockToleranceSeconds);
    if (tooOld) {
      logger?.debug('management API token refused', { reason: tooOld });
      return { kind: 'unauthorized', message: tooOld };
    }
    const role = strongestRole(payload);
    return role ? { kind: 'ok', principal: { sub: payload.sub.trim().slice(0, 200), role } } : { kind: 'no-role' };
  };

  return {
    enabled: true,
    require(role) {
      return (req: Request, res: Response, next: NextFunction) => {
        verify(req.headers.authorization).then((verdict) => {
          if (verdict.kind === 'unauthorized') {
            res.setHeader('WWW-Authenticate', 'Bearer realm="alertgw"');
            return sendError(res, 401, 'unauthorized', verdict.message);
          }
          if (verdict.kind === 'no-role' || RANK[verdict.principal.role] < RANK[role]) {
            return sendError(res, 403, 'forbidden', `this needs the ${role} role`);
          }
          res.locals.principal = verdict.principal;
          next();
        }, next);
      };
    },
  };
}

/**
 * Why a correctly signed token is too long-lived to accept, or undefined. Bounding exp - iat
 * (not only now - iat) keeps a leaked long-lived token from working for its whole lifetime.
 */
function ageProblem(payload: JWTPayload, maxAge: number, tolerance: number): string | undefined {
  if (typeof payload.iat !== 'number') return 'token has no iat (issued-at) claim: its age cannot be bounded';
  if (payload.iat > Date.now() / 1000 + tolerance) return 'token iat (issued-at) lies in the future: check the issuer\'s clock';
  if ((payload.exp as number) - payload.iat > maxAge) {
    return `token lifetime (exp - iat) exceeds auth.jwt.maxTokenAgeSeconds (${maxAge} s): get a shorter-lived token`;
  }
  return undefined;
}

/** The strongest known role among `role` and `roles`. */
function strongestRole(payload: JWTPayload): Role | undefined {
  const claimed = [payload.role, ...(Array.isArray(payload.roles) ? payload.roles : [])].filter((r): r is Role => r === 'viewer' || r === 'operator');
  return claimed.sort((a, b) => RANK[b] - RANK[a])[0];
}

/** The principal a guarded handler runs for. */
export function principalOf(res: Response): Principal {
  return res.locals.principal as Principal;
}
