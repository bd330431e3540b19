import { GatewayError, type ErrorCode } from '../errors';
import type { ErrorClass } from '../queue/types';
import { isRedisUnavailable } from '../redis/redis-unavailable';

/**
 * The `details` a channel puts on the GatewayErrors its send() throws, read by classifyError.
 * Both are optional; other keys (requestId, httpStatus …) are kept for logs only.
 */
export interface SendErrorDetails {
  /** The provider's own code ("EAUTH", "smtp-451", "http-503", Tencent's "InternalError.Timeout"): recorded on the task and in metrics instead of the GatewayError code. */
  providerCode?: string;
  /** The earliest sensible retry (a provider's rate limit or Retry-After). */
  retryAfterMs?: number;
}

/** GatewayError codes that mean the configuration is wrong: every task will hit them until someone fixes it. */
const CONFIG_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SEND_CONFIG', 'TEMPLATE_INVALID', 'CONFIG_INVALID']);

/**
 * Turns anything a channel's send() threw into the worker's verdict. A GatewayError carries
 * its own (retryable flag, code, SendErrorDetails); a Redis that cannot serve now is an outage
 * worth retrying soon; an abort (a timeout) is worth retrying; anything else is unexpected and
 * retried too, bounded by backoff and the attempt cap. Channels translate their provider's
 * native errors into GatewayErrors; this is the one place those become an ErrorClass.
 */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof GatewayError) {
    const d = (err.details ?? {}) as SendErrorDetails;
    return {
      retryable: err.retryable,
      code: typeof d.providerCode === 'string' && d.providerCode ? d.providerCode : err.code,
      ...(typeof d.retryAfterMs === 'number' ? { retryAfterMs: d.retryAfterMs } : {}),
      ...(CONFIG_CODES.has(err.code) ? { configError: true } : {}),
    };
  }
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') return { retryable: true, code: 'ABORTED' };
  // Only a Redis that cannot serve now is an outage; a reply that will come back the same
  // (WRONGTYPE, a script error) is unexpected, and still bounded by backoff and the attempt cap.
  if (isRedisUnavailable(err)) return { retryable: true, code: 'REDIS_UNAVAILABLE', retryAfterMs: 1000 };
  return { retryable: true, code: 'UNEXPECTED' };
}
