import type { Request } from 'express';
import { GatewayError } from '@alertgw/shared';

/** Query values as a list: `?matcher=a&matcher=b` and `?matcher=a` alike; nested objects are refused. */
export function queryList(req: Request, name: string): string[] {
  const raw = req.query[name];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((v): v is string => typeof v === 'string')) {
    throw new GatewayError('BAD_REQUEST', `query parameter "${name}" must be a plain value`);
  }
  return list;
}

/** One optional query value; a repeated parameter is refused rather than silently picked. */
export function queryOne(req: Request, name: string): string | undefined {
  const list = queryList(req, name);
  if (list.length > 1) throw new GatewayError('BAD_REQUEST', `query parameter "${name}" given ${list.length} times`);
  return list[0];
}

/** A non-negative integer query value (capped at `max`), or `fallback` when absent. */
export function queryInt(req: Request, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = queryOne(req, name);
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new GatewayError('BAD_REQUEST', `query parameter "${name}" must be a non-negative integer`);
  return Math.min(Number(value), max);
}
