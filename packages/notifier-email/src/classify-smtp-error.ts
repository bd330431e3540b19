import { GatewayError, type ErrorClass } from '@alertgw/shared';

/** Fields nodemailer puts on its errors (see nodemailer's "Error codes" docs). */
interface MailerError {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
  name?: string;
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

/**
 * Decides whether a thrown send error is worth retrying. SMTP replies: 4xx transient, 5xx
 * permanent. Connection trouble (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, EPROTOCOL, pool limits)
 * is transient. A refused login (EAUTH with 5xx or no reply), a certificate that does not verify,
 * a server refusing the STARTTLS that config requires, and a broken template are permanent
 * configuration errors: they will hit every task, so they are flagged for a loud log.
 */
export function classifySmtpError(error: unknown): ErrorClass {
  if (error instanceof GatewayError) {
    const code = typeof error.details?.code === 'string' ? error.details.code : error.code;
    const retryAfter = error.details?.retryAfterMs;
    return {
      retryable: error.retryable,
      code,
      ...(typeof retryAfter === 'number' ? { retryAfterMs: retryAfter } : {}),
      ...(error.code === 'SEND_CONFIG' || error.code === 'TEMPLATE_INVALID' || error.code === 'CONFIG_INVALID'
        ? { configError: true }
        : {}),
    };
  }
  const e = (error ?? {}) as MailerError;
  const reply = typeof e.responseCode === 'number' && e.responseCode >= 200 ? e.responseCode : undefined;

  if (e.name === 'AbortError' || e.name === 'TimeoutError') return { retryable: true, code: 'aborted' };

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
