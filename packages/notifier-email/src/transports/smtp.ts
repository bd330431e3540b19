import { connect, type Socket } from 'node:net';
import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { SmtpConfig } from '@alertgw/shared';
import type { MailTransport, OutgoingMail, RejectedRecipient, TransportReceipt } from './types';
import { classifySmtpError } from '../classify-smtp-error';

interface NodemailerRecipientError extends Error {
  recipient?: string;
  responseCode?: number;
  response?: string;
}

type SocketCallback = (err: Error | null, socketOptions?: { connection: Socket }) => void;

/**
 * nodemailer's getSocket hook: starts the TCP connection with TCP_NODELAY and hands it over
 * at once, still connecting. nodemailer then treats it like its own socket (TLS wrap for
 * `secure`, greeting, STARTTLS, timeouts, and error events that free the pool slot).
 * Waiting for "connect" here instead would leak a pool slot on failure: the pool only
 * cleans up after errors the connection itself emits.
 */
export function connectWithoutNagle(config: Pick<SmtpConfig, 'host' | 'port' | 'connectionTimeoutMs'>) {
  return (_options: unknown, callback: SocketCallback): void => {
    const socket = connect({ host: config.host, port: config.port, noDelay: true, keepAlive: true });
    // nodemailer's own connection timer stops when it receives a socket; keep the promise here.
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`Connection timeout to ${config.host}:${config.port}`), { code: 'ETIMEDOUT' }));
    }, config.connectionTimeoutMs);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    callback(null, { connection: socket });
  };
}

/** The nodemailer options for a pooled SMTP transport built from config. */
export function smtpPoolOptions(config: SmtpConfig, name?: string): SMTPPool.Options {
  return {
    pool: true,
    host: config.host,
    port: config.port,
    secure: config.secure,
    requireTLS: config.requireTLS,
    tls: {
      ...(config.tls.ca ? { ca: config.tls.ca } : {}),
      ...(config.tls.servername ? { servername: config.tls.servername } : {}),
      rejectUnauthorized: config.tls.rejectUnauthorized,
    },
    ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
    connectionTimeout: config.connectionTimeoutMs,
    greetingTimeout: config.greetingTimeoutMs,
    socketTimeout: config.socketTimeoutMs,
    maxConnections: config.pool.maxConnections,
    ...(config.pool.rateLimit > 0 ? { rateLimit: config.pool.rateLimit, rateDelta: config.pool.rateDeltaMs } : {}),
    ...(name ? { name } : {}),
    // nodemailer writes the body and the final "." as separate small segments; with Nagle's
    // algorithm the second waits for the server's delayed ACK, ~40 ms per mail per connection.
    getSocket: connectWithoutNagle(config),
    // nodemailer's own logger would print addresses and server chatter to stdout.
    logger: false,
    debug: false,
  };
}

function rejectedFrom(errors: NodemailerRecipientError[] | undefined, rejected: string[] | undefined): RejectedRecipient[] {
  const out: RejectedRecipient[] = (errors ?? []).map((e) => ({
    address: e.recipient ?? '',
    ...(e.responseCode ? { responseCode: e.responseCode } : {}),
    response: e.response ?? e.message,
  }));
  for (const address of rejected ?? []) {
    if (!out.some((r) => r.address === address)) out.push({ address, response: 'rejected' });
  }
  return out;
}

/**
 * SMTP through a nodemailer connection pool. Per-recipient refusals at RCPT TO come back as
 * `rejected` in the receipt (also when all were refused, which nodemailer throws as EENVELOPE);
 * everything else (connection, TLS, AUTH, DATA replies) is thrown as the GatewayError
 * classifySmtpError makes of it.
 */
export function createSmtpTransport(config: SmtpConfig, opts: { name?: string } = {}): MailTransport {
  const transporter = nodemailer.createTransport(smtpPoolOptions(config, opts.name));
  return {
    async send(mail: OutgoingMail, signal: AbortSignal): Promise<TransportReceipt> {
      signal.throwIfAborted();
      try {
        const info = await transporter.sendMail({
          from: mail.from,
          to: mail.to,
          cc: mail.cc,
          envelope: { from: mail.from, to: mail.envelopeTo },
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          messageId: mail.messageId,
          inReplyTo: mail.inReplyTo,
          references: mail.references,
          headers: mail.headers,
          attachments: mail.attachments,
        });
        const extra = info as typeof info & { rejectedErrors?: NodemailerRecipientError[] };
        return {
          messageId: info.messageId,
          response: info.response ?? '',
          accepted: (info.accepted ?? []).map(String),
          rejected: rejectedFrom(extra.rejectedErrors, (info.rejected ?? []).map(String)),
        };
      } catch (err) {
        const e = err as NodemailerRecipientError & { code?: string; rejected?: string[]; rejectedErrors?: NodemailerRecipientError[] };
        // All recipients refused at RCPT TO: still a per-recipient answer, not a transport failure.
        if (e.code === 'EENVELOPE' && Array.isArray(e.rejected) && e.rejected.length) {
          return { messageId: mail.messageId, response: '', accepted: [], rejected: rejectedFrom(e.rejectedErrors, e.rejected) };
        }
        throw classifySmtpError(err);
      }
    },
    async verify() {
      await transporter.verify().catch((err: unknown) => {
        throw classifySmtpError(err);
      });
    },
    close() {
      transporter.close();
    },
  };
}
