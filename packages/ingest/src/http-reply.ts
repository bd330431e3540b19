import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/** Longest client-supplied text echoed in an error message. */
const MAX_ECHO = 120;

/** Sends the one JSON error shape every endpoint uses: {error, message, ...extra}. */
export function sendError(res: ServerResponse, status: number, error: string, message: string, extra: Record<string, unknown> = {}): void {
  sendJson(res, status, { error, message, ...extra });
}

/**
 * Sends `body` as JSON with `status`: what res.status().json() sends (same headers and bytes),
 * without express's per-call work (content negotiation of the charset, freshness, ETag checks).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Client text made safe to quote back: control characters dropped (no header or log injection), length capped. */
export function echo(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '');
  return clean.length > MAX_ECHO ? `${clean.slice(0, MAX_ECHO)}…` : clean;
}

/** Middleware answering 503 while `ready()` is false (alert handling waits for Redis at startup). */
export function whileStarting(ready: () => boolean) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (ready()) return next();
    res.setHeader('Retry-After', '5');
    sendError(res, 503, 'starting', 'alert handling is not running yet (waiting for Redis); retry later');
  };
}
