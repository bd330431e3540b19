import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { dataSection } from './data-section';

type EnvelopeCallback = (err: Error | null, info?: unknown) => void;
type ReplyAction = (reply: string) => void;

interface EnvelopeState {
  to: string[];
  rcptQueue: string[];
  accepted: string[];
  rejected: string[];
  rejectedErrors: Error[];
}

/**
 * What this module uses of nodemailer's SMTPConnection (lib/smtp-connection/index.js, 7.x).
 * All of it is internal to nodemailer, so pipelineSupported() checks it before anything is
 * installed, and test/transports/smtp-pipelining.int.test.ts pins the behaviour.
 */
interface ConnectionInternals {
  options: { lmtp?: boolean };
  _socket: Socket | false;
  _destroyed: boolean;
  _supportedExtensions: string[];
  /** One handler per reply the server still owes, in command order. */
  _responseActions: ReplyAction[];
  _envelope: EnvelopeState;
  _usingSmtpUtf8?: boolean;
  _setEnvelope(envelope: unknown, callback: EnvelopeCallback): void;
  _createSendStream(callback: EnvelopeCallback): Transform;
  _sendCommand(line: string): void;
  _getDsnRcptToArgs(): string;
  _actionMAIL(reply: string, callback: EnvelopeCallback): void;
  _actionDATA(reply: string, callback: EnvelopeCallback): void;
  _actionSMTPStream(reply: string, callback: EnvelopeCallback): void;
  _formatError(message: string, code: string, response: string | false, command: string): Error & { recipient?: string };
  close(): void;
  send(envelope: { from: string; to: string[] }, message: Buffer, done: EnvelopeCallback): void;
  once(event: 'end', listener: () => void): void;
}

/** What this module uses of nodemailer's pool (lib/smtp-pool/index.js) and its PoolResource. */
interface PoolInternals {
  _createConnection(): ResourceInternals;
}
interface ResourceInternals extends EventEmitter {
  connect(callback: (err?: Error | null, ok?: boolean) => void): void;
  send(mail: { data?: Record<string, unknown> }, callback: EnvelopeCallback): void;
  connection?: ConnectionInternals;
  /** Whether the pool may give this connection a mail ('available' says it became so). */
  available: boolean;
  /** Mails sent on this connection: at options.maxMessages the pool closes it after a mail. */
  messages: number;
  options: { maxMessages?: number };
}

/** The sendMail() option that tells a connection which gate turn the mail holds (see NextMail). */
export const TURN_OPTION = 'alertgwTurn';

/**
 * A mail to send on a connection right behind the message before it: its MAIL FROM, RCPT TO
 * and DATA go in the same write as that message and its dot (RFC 2920 §3.1: a message's
 * content may be the first command of a group), so the server has the next mail's commands
 * when it has answered the last one.
 */
export interface FollowingMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  /** The gate turn the mail holds now, for the mail after it. */
  turn: unknown;
  /**
   * How the connection's send of it ended (SMTPConnection.send's callback). A `notSent`
   * error (isNotSent): the connection ended before any of its message went out.
   */
  done(err: Error | null, info?: unknown): void;
}

/** The mail that goes behind the one holding `turn`, if one waits; its turn is then the new mail's. */
export type NextMail = (turn: unknown) => FollowingMail | undefined;

/** A mail that went back untouched: the connection ended before any of its message was sent. */
export function isNotSent(err: unknown): boolean {
  return (err as { notSent?: unknown } | null)?.notSent === true;
}

/** A connection's mails that followed another (and the turn of the mail on it now). */
interface ChainState {
  nextMail?: NextMail;
  turn: unknown;
  /** In order: the envelope sent, the message perhaps too, no final reply yet. */
  inFlight: Array<{ mail: FollowingMail; contentSent: boolean }>;
}

const CONNECTION_METHODS = ['_setEnvelope', '_createSendStream', '_sendCommand', '_getDsnRcptToArgs', '_actionMAIL', '_actionDATA', '_actionSMTPStream', '_formatError'] as const;

/** Whether this nodemailer has the internals pipelinePool hooks (else its pool works unchanged, one command at a time). */
export function pipelineSupported(pool: unknown): boolean {
  const proto = SMTPConnection.prototype as unknown as Record<string, unknown>;
  return typeof (pool as Partial<PoolInternals>)._createConnection === 'function' && CONNECTION_METHODS.every((m) => typeof proto[m] === 'function');
}

/**
 * Makes every connection this nodemailer pool opens from now on send a mail in two writes and
 * two round trips instead of five and four. On a server that advertises PIPELINING (RFC 2920),
 * MAIL FROM, every RCPT TO and DATA go in one write; on every server, the message and its
 * final dot go in one write once DATA was accepted. nodemailer still does everything else
 * (connect, greeting, EHLO, STARTTLS, AUTH, pooling, timeouts, errors) and builds the MAIL FROM
 * line, so its checks and parameters (SMTPUTF8, SIZE, DSN, REQUIRETLS) apply unchanged.
 * Only this pool's own connections change (own properties on each instance, set when it has
 * connected), never nodemailer's classes. Returns false, changing nothing, when this
 * nodemailer lacks the internals used.
 *
 * With `nextMail`, on a server with PIPELINING a message's final dot also carries the next
 * waiting mail's MAIL FROM, RCPT TO and DATA (RFC 2920 §3.1), so while mails wait a
 * connection needs one round trip per mail, not two: the server has the next mail's commands
 * when it has answered the dot, instead of the client reading that answer, handing the
 * connection to the next mail through the pool (two setImmediate turns behind whatever else
 * the process is doing) and writing them then. The next mail is sent with nodemailer's own
 * SMTPConnection.send (the same envelope checks and replies); it is not the pool's, so the
 * pool does not see the connection free until no such mail is on it. Its message goes only
 * after its own DATA is answered 354, so if the connection ends before that (a refused dot
 * before it, a 421, a dropped socket) nothing of it was sent and it goes back to its sender
 * (isNotSent) to be sent again, never twice. sendMail's `alertgwTurn` option (TURN_OPTION)
 * names the gate turn the mail holds, which nextMail passes on.
 */
export function pipelinePool(transporter: { transporter: unknown }, nextMail?: NextMail): boolean {
  const pool = transporter.transporter as PoolInternals;
  if (!pipelineSupported(pool)) return false;
  const createConnection = pool._createConnection;
  pool._createConnection = function (this: PoolInternals) {
    const resource = createConnection.call(this);
    const state: ChainState = { nextMail, turn: undefined, inFlight: [] };
    const connect = resource.connect;
    // PoolResource.send() connects through this.connect(), then sends on this.connection.
    resource.connect = function (this: ResourceInternals, callback) {
      connect.call(this, (err, ok) => {
        if (!err && this.connection) pipelineConnection(this.connection, resource, state);
        callback(err, ok);
      });
    };
    if (nextMail) {
      const send = resource.send;
      resource.send = function (this: ResourceInternals, mail, callback) {
        state.turn = mail.data?.[TURN_OPTION];
        send.call(this, mail, callback);
      };
      // While mails that followed another are on it, the connection is not the pool's to give.
      let available = resource.available;
      Object.defineProperty(resource, 'available', {
        configurable: true,
        enumerable: true,
        get: () => available && state.inFlight.length === 0,
        set: (value: boolean) => {
          available = value;
        },
      });
    }
    return resource;
  };
  return true;
}

function pipelineConnection(connection: ConnectionInternals, resource: ResourceInternals, state: ChainState): void {
  const { _setEnvelope: setEnvelope, _sendCommand: sendCommand, _createSendStream: createSendStream } = connection;
  // Where sendEnvelopePipelined holds back the MAIL FROM line nodemailer writes (a property set
  // once: adding and deleting one per mail would turn the connection into a slow dictionary object).
  let held: string[] | null = null;
  connection._sendCommand = function (this: ConnectionInternals, line: string, ...rest: unknown[]) {
    if (held) held.push(line);
    else (sendCommand as (...args: unknown[]) => void).call(this, line, ...rest);
  };
  connection._setEnvelope = function (this: ConnectionInternals, envelope, callback) {
    if (this.options.lmtp || !this._supportedExtensions.includes('PIPELINING')) return setEnvelope.call(this, envelope, callback);
    const lines: string[] = (held = []);
    const queued = this._responseActions.length;
    try {
      setEnvelope.call(this, envelope, callback);
    } finally {
      held = null;
    }
    sendEnvelopePipelined(this, lines, this._responseActions.length - queued, callback);
  };
  connection._createSendStream = function (this: ConnectionInternals, callback) {
    if (this.options.lmtp) return createSendStream.call(this, callback);
    return sendStreamInOneWrite(this, callback, () => following(this, resource, state));
  };
  // The connection ended with mails that followed another on it: those whose message had not
  // gone out go back (their sender sends them again), the others failed as any mail whose
  // connection ended after its message.
  connection.once('end', () => {
    for (const { mail, contentSent } of state.inFlight.splice(0)) {
      const err = connection._formatError(contentSent ? 'Connection closed unexpectedly' : 'Connection closed before the mail was sent', 'ECONNECTION', false, 'CONN');
      mail.done(contentSent ? err : Object.assign(err, { notSent: true }));
    }
  });
}

/**
 * Called as a message is about to go out with its final dot: marks it sent if it is one that
 * followed another, and starts the next mail behind it when one waits and the connection may
 * take it (PIPELINING, within the pool's messages per connection). Returns the function that
 * writes the next mail's commands (into the same write, corked), or undefined.
 */
function following(connection: ConnectionInternals, resource: ResourceInternals, state: ChainState): (() => void) | undefined {
  const current = state.inFlight.find((f) => !f.contentSent);
  if (current) current.contentSent = true;
  const turn = state.turn;
  state.turn = undefined;
  // Mails on this connection not yet counted in resource.messages, this one included. At a
  // mail the pool sent, the pool closes the connection once messages reach maxMessages: the
  // next mail must not be in flight then, nor go over the limit (a relay's own, perhaps).
  const uncounted = state.inFlight.length + (current ? 0 : 1);
  if (
    !state.nextMail ||
    turn === undefined ||
    connection._destroyed ||
    !connection._supportedExtensions.includes('PIPELINING') ||
    resource.messages + uncounted >= (resource.options.maxMessages ?? 0)
  ) {
    return undefined;
  }
  const mail = state.nextMail(turn);
  if (!mail) return undefined;
  state.turn = mail.turn;
  const entry = { mail, contentSent: false };
  state.inFlight.push(entry);
  return () => {
    let written = false;
    connection.send(mail.envelope, mail.raw, (err, info) => {
      const at = state.inFlight.indexOf(entry);
      if (at < 0) return; // already failed by the connection's end
      state.inFlight.splice(at, 1);
      resource.messages++;
      // As nodemailer's pool does after a failed mail: nothing later on this connection can
      // then be read against the wrong command. Not when nodemailer refused the envelope
      // before writing it (still in the message before's write): that message awaits its reply.
      if (err && written) connection.close();
      mail.done(err, info);
      if (!err && resource.available) resource.emit('available');
    });
    written = true;
  };
}

/**
 * nodemailer's _setEnvelope checks the addresses and composes MAIL FROM; the line it would
 * write and the reply handler it queued (which sends the RCPTs only after MAIL's reply) are
 * taken back, and MAIL FROM, RCPT TO for each recipient and DATA go in one write. The replies
 * come back in command order (RFC 2920 §3.1) and are matched to the queued handlers in turn:
 * - MAIL refused: the mail fails with nodemailer's own MAIL FROM error (the connection is then
 *   closed by the pool, so the RCPTs' and DATA's 503s are never read as anything);
 * - 421 to any command: the server is closing the channel (RFC 5321 §3.8), so the mail fails at
 *   once with that reply, classified "slow down" like a 421 anywhere else;
 * - some recipients refused: recorded as nodemailer records them (rejected, rejectedErrors);
 * - every recipient refused: nodemailer's "all recipients were rejected" error (which the
 *   transport reports as refused recipients) once DATA's reply is in; if the server still
 *   answered DATA with 354, a lone dot ends the empty message first and the error follows the
 *   dot's reply (RFC 2920 §3.1), so nothing goes to nobody and the server is left in step;
 * - otherwise DATA's reply goes to nodemailer's own DATA handler (354 to the message, else
 *   its "Data command failed" error).
 */
function sendEnvelopePipelined(connection: ConnectionInternals, held: string[], handlersQueued: number, callback: EnvelopeCallback): void {
  // Refused before MAIL FROM (no recipients, an invalid address): nodemailer has called back.
  if (held.length === 0) return;
  if (held.length !== 1 || handlersQueued !== 1) {
    // Not the _setEnvelope this was written for: let nodemailer carry on one command at a time.
    for (const line of held) connection._sendCommand(line);
    return;
  }
  connection._responseActions.pop();

  const env = connection._envelope;
  const recipients = env.rcptQueue.splice(0);
  const rcptArgs = connection._getDsnRcptToArgs();
  let decided = false;
  let lastRcptReply = '';
  const decide = (err: Error | null, info?: unknown) => {
    decided = true;
    callback(err, info);
  };
  const serverClosing = (reply: string, command: string) => {
    if (!reply.startsWith('421')) return false;
    decide(connection._formatError('Server terminates connection', 'EENVELOPE', reply, command));
    return true;
  };

  connection._responseActions.push((reply) => {
    if (reply.charAt(0) === '2') return;
    decided = true;
    connection._actionMAIL(reply, callback);
  });
  for (const recipient of recipients) {
    connection._responseActions.push((reply) => {
      if (decided || serverClosing(reply, 'RCPT TO')) return;
      lastRcptReply = reply;
      recordRecipientReply(connection, recipient, reply);
    });
  }
  connection._responseActions.push((reply) => {
    if (decided) return;
    if (env.rejected.length < env.to.length) {
      decided = true;
      return connection._actionDATA(reply, callback);
    }
    const err = Object.assign(connection._formatError("Can't send mail - all recipients were rejected", 'EENVELOPE', lastRcptReply, 'RCPT TO'), {
      rejected: env.rejected,
      rejectedErrors: env.rejectedErrors,
    });
    if (/^[23]/.test(reply)) {
      connection._responseActions.push(() => decide(err));
      writeOnce(connection, '.\r\n');
      return;
    }
    decide(err);
  });

  writeOnce(connection, `${[held[0], ...recipients.map((r) => `RCPT TO:<${r}>${rcptArgs}`), 'DATA'].join('\r\n')}\r\n`);
}

/** One RCPT TO reply, recorded as nodemailer's _actionRCPT records it. */
function recordRecipientReply(connection: ConnectionInternals, recipient: string, reply: string): void {
  const env = connection._envelope;
  if (reply.charAt(0) === '2') {
    env.accepted.push(recipient);
    return;
  }
  const idnRefused = connection._usingSmtpUtf8 && /^553 /.test(reply) && /[\x80-\uFFFF]/.test(recipient);
  const err = connection._formatError(idnRefused ? 'Internationalized mailbox name not allowed' : 'Recipient command failed', 'EENVELOPE', reply, 'RCPT TO');
  err.recipient = recipient;
  env.rejected.push(recipient);
  env.rejectedErrors.push(err);
}

/**
 * The stream nodemailer writes the message into after DATA's 354: the whole message, made into
 * its DATA section (dot-stuffed, CRLF, the final dot) by dataSection, goes in one write when the
 * message has ended, where nodemailer's DataStream is piped into the socket: a write per chunk
 * and another for the final dot. Like DataStream it counts the bytes in and out (nodemailer
 * reports outByteCount as the message's size).
 */
function sendStreamInOneWrite(connection: ConnectionInternals, callback: EnvelopeCallback, next: () => (() => void) | undefined): Transform {
  connection._responseActions.push((reply) => connection._actionSMTPStream(reply, callback));
  const chunks: Buffer[] = [];
  const stream = Object.assign(
    new Transform({
      transform(chunk: Buffer | string, _encoding, done) {
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        done();
      },
      flush(done) {
        const message = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        const section = dataSection(message);
        stream.inByteCount = message.length;
        stream.outByteCount = section.length;
        const sendNext = next();
        if (!sendNext) writeOnce(connection, section);
        else {
          // The next mail's MAIL FROM, RCPT TO and DATA join this write (cork: one writev).
          const socket = connection._socket;
          if (socket) socket.cork();
          writeOnce(connection, section);
          sendNext();
          if (socket) socket.uncork();
        }
        done();
      },
    }),
    { inByteCount: 0, outByteCount: 0 },
  );
  return stream;
}

/** One write to the server, with the checks nodemailer's _sendCommand makes first. */
function writeOnce(connection: ConnectionInternals, data: string | Buffer): void {
  const socket = connection._socket;
  if (connection._destroyed || !socket) return;
  if (socket.destroyed) return connection.close();
  socket.write(typeof data === 'string' ? Buffer.from(data, 'utf-8') : data);
}
