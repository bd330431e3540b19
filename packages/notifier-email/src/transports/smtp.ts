import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import MimeNode from 'nodemailer/lib/mime-node';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { SmtpConfig } from '@alertgw/shared';
import type { MailTransport, OutgoingMail, RejectedRecipient, TransportReceipt } from './types';
import { buildMessage } from './build-message';
import { classifySmtpError, isSlowDown, SLOW_DOWN_RETRY_MS } from '../classify-smtp-error';
import { isOverShare, type ConnectionBudget } from './connection-budget';
import { fitPoolTo } from './fit-pool';
import { connectWithPermit } from './permit-socket';
import { SendGate } from './send-gate';
import { isNotSent, pipelinePool, TURN_OPTION, type FollowingMail, type NextMail } from './smtp-pipelining';

interface NodemailerRecipientError extends Error {
  recipient?: string;
  responseCode?: number;
  response?: string;
}

/** nodemailer's getSocket callback. */
export type SocketCallback = (err: Error | null, socketOptions?: { connection: Socket }) => void;

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
    // With Nagle's algorithm a small segment waits while earlier ones are unacknowledged (up to
    // the server's delayed ACK, ~40 ms): the tail of each message after its full-size segments.
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

/** What createSmtpTransport takes besides the config. */
export interface SmtpTransportOptions {
  /** EHLO name. */
  name?: string;
  /** The relay's connection budget shared with the other replicas (email.smtp.maxConnectionsTotal). */
  budget?: ConnectionBudget;
}

/** The SMTP transport, with its send gate visible to tests and metrics. */
export interface SmtpTransport extends MailTransport {
  readonly gate: SendGate;
}

/** How long one send keeps retrying the server's 421 "slow down" itself before the worker's backoff takes over. */
const SLOW_DOWN_WINDOW_MS = 60_000;

/** How soon a mail whose new connection found the replica at its share goes again (on a connection it has). */
const OVER_SHARE_RETRY_MS = 20;

/**
 * A mail waiting at the gate, as a connection takes it to send right behind the message before
 * it (see NextMail): then `sent` is set, and the mail's send() waits for it instead of sending.
 */
interface WaitingMail {
  mail: OutgoingMail;
  raw: Buffer;
  sent?: Promise<SentInfo>;
}

/** What nodemailer's SMTPConnection.send gives a sent mail (a subset of sendMail's info). */
interface SentInfo {
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: NodemailerRecipientError[];
  response?: string;
}

/** With a shared budget, a pool idle this long closes its connections, so other replicas can have them. */
const IDLE_RELEASE_MS = 1_000;

/**
 * SMTP through a nodemailer connection pool, so a storm reuses a few connections instead of
 * opening one per mail. A SendGate decides how many mails go at once (the pool size, this
 * replica's share of `budget`, and what the server tolerates) and which goes next (the most
 * urgent). A 421 is the server saying "slow down": the gate halves its concurrency and the
 * mail goes again after SLOW_DOWN_RETRY_MS, within the same send(), so no attempt of the task
 * is spent on it; only after SLOW_DOWN_WINDOW_MS does the 421 reach the worker (retryable, with
 * retryAfterMs). Per-recipient refusals at RCPT TO come back as `rejected` in the receipt (also
 * when all were refused, which nodemailer throws as EENVELOPE); everything else (connection,
 * TLS, AUTH, DATA replies) is thrown as the GatewayError classifySmtpError makes of it.
 */
export function createSmtpTransport(config: SmtpConfig, opts: SmtpTransportOptions = {}): SmtpTransport {
  const { budget } = opts;
  const size = budget ? budget.total : config.pool.maxConnections;
  const poolOptions: SMTPPool.Options = { ...smtpPoolOptions(config, opts.name), maxConnections: size };
  if (budget) poolOptions.getSocket = connectWithPermit(budget, connectWithoutNagle(config));
  const gate = new SendGate(size);
  // A connection finishing a mail takes the next from the gate, most urgent first, with its turn.
  const nextMail: NextMail = (turn) => {
    const passed = gate.passOn(turn as () => void);
    if (!passed) return undefined;
    const waiting = passed.payload as WaitingMail;
    let done!: FollowingMail['done'];
    waiting.sent = new Promise<SentInfo>((resolve, reject) => {
      done = (err, info) => (err ? reject(err) : resolve(info as SentInfo));
    });
    // Its send() awaits it as soon as its turn resolves; a failure before then is not unhandled.
    waiting.sent.catch(() => undefined);
    // Parsed only for a mail that goes this way: one sent by the pool has sendMail parse it.
    return { envelope: envelopeOf(waiting.mail), raw: waiting.raw, turn: passed.leave, done };
  };
  let transporter: Transporter | null = null;
  const fitPool = () => {
    if (transporter) fitPoolTo(transporter, gate.allowed);
  };
  const pool = () => {
    if (!transporter) {
      // nodemailer's rate limit counts the mails its pool hands out: with one set, every mail goes through the pool.
      transporter = createPool(poolOptions, config.pool.rateLimit > 0 ? undefined : nextMail);
      fitPool();
    }
    return transporter;
  };
  let idleTimer: NodeJS.Timeout | undefined;
  const whenIdle = () => {
    if (!budget || gate.active > 0 || gate.queued > 0) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (gate.active > 0 || gate.queued > 0 || !transporter) return;
      transporter.close();
      transporter = null;
    }, IDLE_RELEASE_MS);
    idleTimer.unref();
  };
  if (budget) {
    gate.setShare(budget.share);
    budget.onShareChange((share) => {
      gate.setShare(share);
      fitPool();
    });
  }

  return {
    gate,
    async send(mail: OutgoingMail, signal: AbortSignal): Promise<TransportReceipt> {
      signal.throwIfAborted();
      const raw = buildMessage(mail);
      const waiting: WaitingMail = { mail, raw };
      const slowDownUntil = Date.now() + SLOW_DOWN_WINDOW_MS;
      for (;;) {
        waiting.sent = undefined;
        const leave = await gate.enter(mail.priority ?? 0, signal, waiting);
        let pause = SLOW_DOWN_RETRY_MS;
        try {
          // Taken by a connection (see nextMail): it is on its way, the abort comes too late.
          const receipt = waiting.sent ? await sentReceipt(mail, waiting.sent) : (signal.throwIfAborted(), await sendOnce(pool(), mail, raw, leave));
          gate.succeeded();
          fitPool();
          return receipt;
        } catch (err) {
          const overShare = isOverShare(err);
          const wentBack = isNotSent(err);
          if (!(overShare || wentBack || isSlowDown(err)) || signal.aborted || Date.now() > slowDownUntil) throw wentBack ? classifySmtpError(err) : err;
          // Lower the concurrency before this turn is handed on. Over its share, the mail goes on
          // one of the replica's open connections as soon as one is free; one that went back
          // (its connection ended before its message went out) goes again at once.
          if (wentBack) pause = 0;
          else if (overShare) pause = OVER_SHARE_RETRY_MS;
          else gate.slowDown();
          fitPool();
        } finally {
          leave();
          whenIdle();
        }
        if (pause > 0) await sleep(pause * (0.5 + Math.random()), undefined, { signal });
      }
    },
    async verify() {
      await pool()
        .verify()
        .catch((err: unknown) => {
          throw classifySmtpError(err);
        });
    },
    close() {
      clearTimeout(idleTimer);
      transporter?.close();
      transporter = null;
    },
  };
}

/**
 * A nodemailer pool whose connections pipeline each mail's commands, and send the next mail
 * behind each message when `nextMail` has one (see pipelinePool).
 */
function createPool(options: SMTPPool.Options, nextMail?: NextMail) {
  const transporter = nodemailer.createTransport(options);
  pipelinePool(transporter, nextMail);
  return transporter;
}
type Transporter = ReturnType<typeof createPool>;

/** The envelope as nodemailer makes it of sendMail's `envelope` option (addresses parsed out of "Name <address>"). */
function envelopeOf(mail: OutgoingMail): { from: string; to: string[] } {
  // The same value sendMail gets (its types want a string; nodemailer parses a list as well).
  const { from, to } = new MimeNode().setEnvelope({ from: mail.from, to: mail.envelopeTo } as unknown as Parameters<MimeNode['setEnvelope']>[0]).getEnvelope();
  return { from: from || '', to };
}

/** `turn`: the gate turn the mail holds, so its connection can pass it on to the next mail. */
async function sendOnce(transporter: Transporter, mail: OutgoingMail, raw: Buffer, turn: () => void): Promise<TransportReceipt> {
  return sentReceipt(mail, transporter.sendMail({ envelope: { from: mail.from, to: mail.envelopeTo }, raw, messageId: mail.messageId, [TURN_OPTION]: turn } as Parameters<Transporter['sendMail']>[0]));
}

/** The receipt of a mail sent (by the pool, or on a connection behind another), or its failure classified. */
async function sentReceipt(mail: OutgoingMail, sent: Promise<SentInfo>): Promise<TransportReceipt> {
  try {
    const info = await sent;
    return {
      messageId: mail.messageId,
      response: info.response ?? '',
      accepted: (info.accepted ?? []).map(String),
      rejected: rejectedFrom(info.rejectedErrors, (info.rejected ?? []).map(String)),
    };
  } catch (err) {
    // A mail that went back is the send loop's to send again.
    if (isNotSent(err)) throw err;
    const e = err as NodemailerRecipientError & { code?: string; rejected?: string[]; rejectedErrors?: NodemailerRecipientError[] };
    // All recipients refused at RCPT TO: still a per-recipient answer, not a transport failure.
    if (e.code === 'EENVELOPE' && Array.isArray(e.rejected) && e.rejected.length) {
      return { messageId: mail.messageId, response: '', accepted: [], rejected: rejectedFrom(e.rejectedErrors, e.rejected) };
    }
    throw classifySmtpError(err);
  }
}
