/**
 * The one error type of the project. Every code is listed in ERROR_CODES with what it means;
 * `retryable` tells the worker whether waiting and trying again can help.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'configuration failed validation; the process must not start',
  REDIS_UNAVAILABLE: 'Redis did not accept a command (down, loading, timeout)',
  REDIS_REJECTED: 'Redis refused a command for a reason retrying will not change (script error, WRONGTYPE): a bug or bad data',
  REDIS_NOT_FOUND: 'no Redis could be found or started',
  LEASE_LOST: 'the task lease expired or was taken by another worker',
  SEND_TRANSIENT: 'a channel failed in a way that may clear by itself',
  SEND_PERMANENT: 'a channel failed in a way that retrying will not fix',
  SEND_CONFIG: 'a channel failed because its configuration is wrong (auth, template, sign, balance)',
  TEMPLATE_INVALID: 'a template failed to compile or render',
  NOT_FOUND: 'the requested object does not exist',
  TASK_CORRUPT: 'a stored task exists but cannot be read (a field is not JSON): a bug or a write from outside the gateway',
  BAD_REQUEST: 'an API request had a missing or invalid parameter',
  CONFLICT: 'the request conflicts with the current state (already acked, not firing, changed meanwhile)',
  UPSTREAM_FAILED: 'a service the gateway calls (Alertmanager API) failed or refused the request',
  BUSY: 'the workers for this kind of request (regexp matching) are all taken; retry later',
} as const;

/** A code from ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Error with a documented code, a retryable flag and an optional cause. Never put secrets in it. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** Extra facts for logs and API answers (no secrets, no full phone numbers). */
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { retryable?: boolean; cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }
}
