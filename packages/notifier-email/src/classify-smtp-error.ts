import { GatewayError } from '@alertgw/shared';

/** Fields nodemailer puts on its errors (see nodemailer's "Error codes" docs). */
interface MailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  name?: string;
  /** Set by the SMTP transport on a connection its shared connection budget did not allow. */
  budgetCode?: string;
}

// Certificate problems are reported as ESOCKET/ETLS with Node's message; waiting will not fix them.
const CERT_PROBLEM = /certificate|self[- ]signed|altnames|unable to verify|CERT_/i;

/** `smtp-451` from an SMTP reply code. */
export function smtpCode(responseCode: number): string {
  return `smtp-${responseCode}`;
}

/** Whether an SMTP reply code means "try again later" (4xx) rather than "never" (5xx). */
export function isTransientReply(responseCode: number): boolean {
  return responseCode >= 400 && responseCode < 500;
}

/** The verdict on one nodemailer error, before it becomes a GatewayError. */
interface Verdict {
  retryable: boolean;
  code: string;
  configError?: boolean;
  retryAfterMs?: number;
}

/**
 * 421 "service not available, closing transmission channel": what relays answer a client over
 * its connection or rate limit. Not a failure of the mail: slow down and send it again soon.
 */
export const SLOW_DOWN_REPLY = 421;

/** How soon a mail refused with 421 is tried again (the transport also lowers its concurrency). */
export const SLOW_DOWN_RETRY_MS = 250;

/** Whether a GatewayError from classifySmtpError is the server's "slow down" (421). */
export function isSlowDown(error: unknown): boolean {
  return error instanceof GatewayError && (error.details as { providerCode?: string } | undefined)?.providerCode === smtpCode(SLOW_DOWN_REPLY);
}

/**
 * Translates a nodemailer error into the project's GatewayError: SEND_TRANSIENT,
 * SEND_PERMANENT or SEND_CONFIG with nodemailer's code (or `smtp-<reply>`) as
 * `details.providerCode`; the worker's classifyError reads that. SMTP replies: 4xx transient,
 * 5xx permanent; 421 is "slow down" (retryable, with retryAfterMs; see isSlowDown). Connection
 * trouble (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, EPROTOCOL, pool limits) is transient. A refused login (EAUTH with 5xx or no reply), a certificate that does
 * not verify and a server refusing the STARTTLS that config requires are configuration errors:
 * they will hit every task. A GatewayError passes through unchanged.
 */
export function classifySmtpError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const v = verdictOf(error);
  const code = v.configError ? 'SEND_CONFIG' : v.retryable ? 'SEND_TRANSIENT' : 'SEND_PERMANENT';
  const message = error instanceof Error ? error.message : String(error);
  const details = { providerCode: v.code, ...(v.retryAfterMs === undefined ? {} : { retryAfterMs: v.retryAfterMs }) };
  return new GatewayError(code, message, { retryable: v.retryable, cause: error, details });
}

function verdictOf(error: unknown): Verdict {
  const e = (error ?? {}) as MailerError;
  const reply = typeof e.responseCode === 'number' && e.responseCode >= 200 ? e.responseCode : undefined;

  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { retryable: true, code: 'ABORTED' };
  if (typeof e.budgetCode === 'string') return { retryable: true, code: e.budgetCode };
  // At the greeting (EPROTOCOL), after a command or as the server hangs up: always "slow down".
  if (reply === SLOW_DOWN_REPLY) return { retryable: true, code: smtpCode(reply), retryAfterMs: SLOW_DOWN_RETRY_MS };
  switch (e.code) {
    case 'EAUTH':
      // 454 "temporary authentication failure" is the server's problem; 535 is our password.
      if (reply && isTransientReply(reply)) return { retryable: true, code: 'EAUTH' };
      return { retryable: false, code: 'EAUTH', configError: true };
    case 'EREQUIRETLS':
      return { retryable: false, code: e.code, configError: true };
    case 'ETLS':
      if (CERT_PROBLEM.test(e.message ?? '')) return { retryable: false, code: 'ETLS-CERT', configError: true };
      // STARTTLS refused for good (5xx, or not offered while requireTLS is set): our config
      // asks for TLS that this server does not do. 454 and handshake resets may clear.
      if (reply && !isTransientReply(reply)) return { retryable: false, code: 'ETLS', configError: true };
      return { retryable: true, code: 'ETLS' };
    case 'ESOCKET':
    case 'ECONNECTION':
      if (CERT_PROBLEM.test(e.message ?? '')) return { retryable: false, code: 'ETLS-CERT', configError: true };
      if (reply) return { retryable: isTransientReply(reply), code: smtpCode(reply) };
      return { retryable: true, code: e.code };
    case 'ETIMEDOUT':
    case 'EDNS':
    case 'EPROTOCOL':
    case 'EMAXLIMIT':
      return { retryable: true, code: e.code };
    case 'EENVELOPE':
    case 'EMESSAGE':
      // No reply code: nodemailer refused locally (invalid address, message too large).
      if (!reply) return { retryable: false, code: e.code };
      return { retryable: isTransientReply(reply), code: smtpCode(reply) };
    case 'ESTREAM':
      return { retryable: false, code: e.code };
    default:
      if (reply) return { retryable: isTransientReply(reply), code: smtpCode(reply) };
      // Unknown failures (e.g. ECONNRESET from a socket) are retried; maxAttempts bounds them.
      return { retryable: true, code: typeof e.code === 'string' && e.code ? e.code : 'unknown' };
  }
}
