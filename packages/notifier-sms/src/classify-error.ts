import { GatewayError, isRedisUnavailable, type ErrorClass } from '@alertgw/shared';

/**
 * Judges an error thrown out of the SMS channel's send(): GatewayErrors carry their own
 * verdict (Tencent's code in details.tencentCode); Redis hiccups and anything unexpected
 * are transient, so the worker's backoff and attempt cap bound them.
 */
export function classifySmsError(err: unknown): ErrorClass {
  if (err instanceof GatewayError) {
    const d = err.details ?? {};
    const retryAfterMs = typeof d.retryAfterMs === 'number' ? d.retryAfterMs : undefined;
    const configError = err.code === 'SEND_CONFIG' || err.code === 'TEMPLATE_INVALID' || err.code === 'CONFIG_INVALID';
    return {
      retryable: err.retryable,
      code: typeof d.tencentCode === 'string' ? d.tencentCode : err.code,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(configError ? { configError } : {}),
    };
  }
  if (err instanceof Error && err.name === 'AbortError') return { retryable: true, code: 'ABORTED' };
  // Only a Redis that cannot serve now is an outage; a reply that will come back the same
  // (WRONGTYPE, a script error) is unexpected, and still bounded by backoff and the attempt cap.
  if (isRedisUnavailable(err)) return { retryable: true, code: 'REDIS_UNAVAILABLE', retryAfterMs: 1000 };
  return { retryable: true, code: 'UNEXPECTED' };
}
