import type { Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { freePort, waitFor } from '@alertgw/testkit';

/** One mail as the in-process server received it. */
export interface ReceivedMail {
  from: string;
  /** Envelope recipients (RCPT TO that were accepted). */
  rcptTo: string[];
  /** Absent when the server was started with `parse: false` (bulk tests). */
  parsed: ParsedMail;
  /** Message-ID header as sent. */
  messageId: string;
  raw: string;
  user?: string;
  /** Whether the session ran over TLS (STARTTLS or implicit). */
  secure: boolean;
}

/** An SMTP error with a reply code, the way smtp-server expects it. */
export function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** What an onMailFrom hook returns to leave MAIL FROM unanswered (the client's socket timeout decides). */
export const NO_REPLY = Symbol('no reply');

/** Behaviour hooks: return an error to refuse, undefined to accept. */
export interface TestSmtpOptions {
  port?: number;
  onMailFrom?: (address: string) => Error | undefined | typeof NO_REPLY;
  onRcpt?: (address: string, session: SMTPServerSession) => Error | undefined;
  /** Called per DATA, with the 0-based count of DATA commands seen so far. */
  onData?: (n: number) => Error | undefined;
  /** Require AUTH with these credentials; STARTTLS with key/cert. */
  auth?: { user: string; pass: string };
  tls?: { key: string; cert: string };
  /** Implicit TLS from the first byte (port 465 style) instead of STARTTLS; needs `tls`. */
  implicitTls?: boolean;
  /** Parse each mail with mailparser (default true); bulk tests count raw Message-IDs only. */
  parse?: boolean;
  /** Like a relay: connections beyond this many open at once get 421 and are closed. */
  maxConnections?: number;
  /** Milliseconds the server takes to accept each mail (a relay's own work). */
  dataDelayMs?: number;
  /** Leave PIPELINING (RFC 2920) out of the EHLO reply, as servers without it do. */
  hidePipelining?: boolean;
}

/** A real smtp-server on a local port that records and parses everything it accepts. */
export interface TestSmtpServer {
  port: number;
  mails: ReceivedMail[];
  /** Every RCPT TO the server saw, accepted or not. */
  rcptSeen: string[];
  authFailures: number;
  /** Every chunk the server read from its clients, in order (latin1): what arrived together. */
  reads: string[];
  /** Most connections open at once (counted at TCP accept, as a relay counts them). */
  readonly maxConcurrent: number;
  /** Connections refused with 421 because of `maxConnections`. */
  readonly refused421: number;
  waitForMails(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /**
   * An outage: stops listening and drops every open session (a pooled client's too), so
   * connects are refused (ECONNREFUSED) until acceptConnections().
   */
  refuseConnections(): Promise<void>;
  /** Listens again on the same port. */
  acceptConnections(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a test SMTP server; plain text and no AUTH unless `tls`/`auth` are given. */
export async function startSmtpServer(opts: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const port = opts.port ?? (await freePort());
  const mails: ReceivedMail[] = [];
  const rcptSeen: string[] = [];
  const reads: string[] = [];
  let dataCount = 0;
  let authFailures = 0;
  let open = 0;
  let maxConcurrent = 0;
  let refused421 = 0;
  /** "address:port" of connections accepted beyond maxConnections, refused in onConnect. */
  const overLimit = new Set<string>();
  const options: SMTPServerOptions = {
    logger: false,
    // No reverse DNS per connection: a sandbox without DNS would stall every connect.
    disableReverseLookup: true,
    disabledCommands: [...(opts.tls && !opts.implicitTls ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
    authOptional: !opts.auth,
    ...(opts.tls ? { key: opts.tls.key, cert: opts.tls.cert } : {}),
    ...(opts.implicitTls ? { secure: true } : {}),
    size: 10 * 1024 * 1024,
    ...(opts.hidePipelining ? { hidePIPELINING: true } : {}),
    onConnect(session, cb) {
      if (!overLimit.delete(`${session.remoteAddress}:${session.remotePort}`)) return cb();
      refused421 += 1;
      cb(smtpError(421, '4.7.0 Too many concurrent connections, try again later'));
    },
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username });
      authFailures += 1;
      return cb(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onMailFrom(address, _session, cb) {
      const answer = opts.onMailFrom?.(address.address);
      if (answer !== NO_REPLY) cb(answer ?? null);
    },
    onRcptTo(address, session, cb) {
      rcptSeen.push(address.address);
      cb(opts.onRcpt?.(address.address, session) ?? null);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const refusal = opts.onData?.(dataCount++);
        if (refusal) return cb(refusal);
        if (opts.dataDelayMs) setTimeout(accept, opts.dataDelayMs);
        else accept();
      });
      const accept = () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? '';
        const parsing = opts.parse === false ? Promise.resolve(undefined as unknown as ParsedMail) : simpleParser(raw);
        parsing.then(
          (parsed) => {
            mails.push({
              messageId,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              parsed,
              raw,
              user: session.user as string | undefined,
              secure: Boolean(session.secure),
            });
            cb(null);
          },
          (err: Error) => cb(err),
        );
      };
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: Socket) => {
    open += 1;
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    if (opts.maxConnections !== undefined && open > opts.maxConnections) overLimit.add(key);
    else maxConcurrent = Math.max(maxConcurrent, open);
    socket.on('data', (chunk: Buffer) => reads.push(chunk.toString('latin1')));
    socket.once('close', () => {
      open -= 1;
      overLimit.delete(key);
    });
  });
  return {
    port,
    mails,
    rcptSeen,
    reads,
    get authFailures() {
      return authFailures;
    },
    get maxConcurrent() {
      return maxConcurrent;
    },
    get refused421() {
      return refused421;
    },
    waitForMails: async (n, timeoutMs = 10_000) => {
      await waitFor(() => mails.length >= n, timeoutMs, `${n} mails`);
      return mails;
    },
    refuseConnections: () =>
      new Promise<void>((resolve) => {
        // The listener alone, not SMTPServer.close(): that one waits up to 30 s for sessions to end.
        server.server.close(() => resolve());
        for (const connection of server.connections) (connection as { close(): void }).close();
      }),
    acceptConnections: () =>
      new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.server.listen(port, '127.0.0.1', () => {
          server.server.off('error', reject);
          resolve();
        });
      }),
    close: () => new Promise<void>((resolve) => (server.server.listening ? server.close(() => resolve()) : resolve())),
  };
}
