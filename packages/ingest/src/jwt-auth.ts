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
const UNAUTHORIZED = 'missing, invalid or expired token';

/**
 * Builds the JWT gate: `Authorization: Bearer <jwt>`, signature checked against the HS256
 * secret or the RS256/ES256 public key (only the configured algorithms, so a token cannot
 * pick its own), `exp` required and checked, `iss`/`aud` when configured. The role comes
 * from the `role` claim or the `roles` list. Failures answer 401 (no, bad, forged or expired
 * token) or 403 (valid token, role too weak) with one short message that does not say which
 * check failed; the reason goes to the debug log. Without a key, 503 "management API disabled".
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
  // jose refuses an alg outside `algorithms` before asking for a key; HS256 never gets the public key.
  const keyFor = (header: { alg?: string }): Uint8Array | KeyObject => {
    const key = header.alg === 'HS256' ? secret : publicKey;
    if (!key) throw new joseErrors.JOSEAlgNotAllowed('no key for this algorithm');
    return key;
  };

  const verify = async (authorization: string | undefined): Promise<Principal | 'unauthorized' | 'no-role'> => {
    const match = /^Bearer\s+([A-Za-z0-9_\-.=]+)\s*$/i.exec(authorization ?? '');
    if (!match) return 'unauthorized';
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1]!, keyFor, options));
    } catch (err) {
      logger?.debug('management API token refused', { reason: (err as { code?: string }).code ?? (err as Error).name });
      return 'unauthorized';
    }
    if (typeof payload.sub !== 'string' || payload.sub.trim() === '') return 'unauthorized';
    const role = strongestRole(payload);
    return role ? { sub: payload.sub.trim().slice(0, 200), role } : 'no-role';
  };

  return {
    enabled: true,
    require(role) {
      return (req: Request, res: Response, next: NextFunction) => {
        verify(req.headers.authorization).then((principal) => {
          if (principal === 'unauthorized') {
            res.setHeader('WWW-Authenticate', 'Bearer realm="alertgw"');
            return sendError(res, 401, 'unauthorized', UNAUTHORIZED);
          }
          if (principal === 'no-role' || RANK[principal.role] < RANK[role]) {
            return sendError(res, 403, 'forbidden', `this needs the ${role} role`);
          }
          res.locals.principal = principal;
          next();
        }, next);
      };
    },
  };
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
