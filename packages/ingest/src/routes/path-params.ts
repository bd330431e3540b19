import type { NextFunction, Request, Response, Router } from 'express';
import { GatewayError } from '@alertgw/shared';

/**
 * Refuses, with 400 before any handler or Redis call, a path parameter `param` of `router`
 * that `valid` rejects: ids and names from a URL become Redis keys and lookups, so each is
 * held to its pattern where it enters (fingerprints, directory names, task numbers).
 */
export function checkPathParam(router: Router, param: string, valid: (text: string) => boolean, what: string): void {
  router.param(param, (_req: Request, _res: Response, next: NextFunction, value: unknown) => {
    if (typeof value === 'string' && valid(value)) return next();
    next(new GatewayError('BAD_REQUEST', `${param} is not a valid ${what}`));
  });
}
