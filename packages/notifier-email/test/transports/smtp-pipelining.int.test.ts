import nodemailer from 'nodemailer';
import { buildMessage } from '../../src/transports/build-message';
import { createSmtpTransport } from '../../src/transports/smtp';
import { pipelinePool } from '../../src/transports/smtp-pipelining';
import type { OutgoingMail } from '../../src/transports/types';
import { localSmtpConfig } from '../support/smtp-config';
import { NO_REPLY, smtpError, startSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-test-server';

const signal = new AbortController().signal;
const A = 'a@example.com';
const B = 'b@example.com';

/** A mail whose body has lines starting with dots, so dot-stuffing is exercised. */
function mail(envelopeTo: string[] = [A, B]): OutgoingMail {
  return {
    from: 'alerts@example.com',
    to: envelopeTo,
    cc: [],
    envelopeTo,
    subject: 'Disk full on db-1',
    text: 'first line\n.starts with a dot\n..two dots\n.\nlast',
    html: '<p>disk full</p>\n.<b>dot</b>',
    messageId: '<pipelining-1@alertgw>',
    inReplyTo: '<group@alertgw>',
    references: '<group@alertgw>',
    headers: { Date: 'Mon, 30 Nov 2026 19:00:00 +0000' },
    attachments: [{ filename: 'group.json', contentType: 'application/json', content: '{"alerts":[]}' }],
    priority: 0,
  };
}

/** A message with its random MIME boundaries named by their order, so two builds compare. */
function sameBoundaries(raw: string): string {
  const boundaries = [...raw.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]);
  return boundaries.reduce((text, b, i) => text.split(b).join(`BOUNDARY-${i}`), raw);
}

type Outcome = { receipt: unknown } | { error: unknown };

/** One send over a fresh one-connection transport, as what the rest of the notifier sees of it. */
async function sendOne(server: TestSmtpServer, m: OutgoingMail = mail(), socketTimeoutMs = 5000): Promise<Outcome> {
  const transport = createSmtpTransport(localSmtpConfig(server.port, { socketTimeoutMs, pool: { maxConnections: 1, rateDeltaMs: 1000, rateLimit: 0 } }));
  try {
    return { receipt: await transport.send(m, signal) };
  } catch (err) {
    const e = err as Error & { code?: string; details?: unknown; retryable?: boolean; cause?: Record<string, unknown> };
    const c = e.cause ?? {};
    return { error: { code: e.code, message: e.message, retryable: e.retryable, details: e.details, cause: { code: c.code, responseCode: c.responseCode, command: c.command, response: c.response } } };
  } finally {
    transport.close();
  }
}

/** The same send against a server with PIPELINING and one without it. */
async function bothWays(opts: TestSmtpOptions, m?: OutgoingMail, socketTimeoutMs?: number) {
  const run = async (hidePipelining: boolean) => {
    const server = await startSmtpServer({ parse: false, ...opts, hidePipelining });
    try {
      const outcome = await sendOne(server, m, socketTimeoutMs);
      return { outcome, reads: [...server.reads], mails: [...server.mails], rcptSeen: [...server.rcptSeen] };
    } finally {
      await server.close();
    }
  };
  return { pipelined: await run(false), sequential: await run(true) };
}

const GROUP = /^MAIL FROM:<alerts@example\.com>[^\r\n]*\r\nRCPT TO:<a@example\.com>\r\nRCPT TO:<b@example\.com>\r\nDATA\r\n$/;
const readWith = (reads: string[], text: string) => reads.filter((r) => r.includes(text));

describe('SMTP pipelining (RFC 2920) on the transport’s own connections (real smtp-server)', () => {
  it('hooks this nodemailer’s internals (fails when an upgrade moved them: see smtp-pipelining.ts)', () => {
    const transporter = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: 25 });
    expect(pipelinePool(transporter)).toBe(true);
    transporter.close();
  });

  it('sends MAIL, both RCPTs and DATA in one write, then the message and its dot in one write, delivering the same bytes as without PIPELINING', async () => {
    const { pipelined, sequential } = await bothWays({});
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toEqual({ receipt: { messageId: '<pipelining-1@alertgw>', response: expect.stringMatching(/^250 /), accepted: [A, B], rejected: [] } });

    // With PIPELINING the envelope is one read; without it, MAIL FROM waits for its reply alone.
    expect(readWith(pipelined.reads, 'MAIL FROM')).toEqual([expect.stringMatching(GROUP)]);
    expect(readWith(sequential.reads, 'MAIL FROM')).toEqual([expect.stringMatching(/^MAIL FROM:<alerts@example\.com>[^\r\n]*\r\n$/)]);
    // Either way the message and its final dot arrive together (the ~1.5 KB message is one segment on loopback).
    for (const { reads } of [pipelined, sequential]) {
      const body = readWith(reads, 'Message-ID: <pipelining-1@alertgw>');
      expect(body).toHaveLength(1);
      expect(body[0]).toMatch(/^Date: [\s\S]*Content-Type: multipart\/mixed[\s\S]*\r\n\.\.starts with a dot\r\n[\s\S]*\r\n\.\r\n$/);
    }

    const received = [pipelined, sequential].map(({ mails }) => mails.map((x) => ({ raw: sameBoundaries(x.raw), rcptTo: x.rcptTo })));
    expect(received[0]).toEqual(received[1]);
    expect(received[0]).toEqual([{ raw: sameBoundaries(buildMessage(mail()).toString('utf8')), rcptTo: [A, B] }]);
  });

  it('MAIL FROM refused: the mail fails with the MAIL FROM error, classified as without pipelining', async () => {
    const { pipelined, sequential } = await bothWays({ onMailFrom: () => smtpError(550, '5.7.1 Sender refused') });
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toMatchObject({
      error: { code: 'SEND_PERMANENT', details: { providerCode: 'smtp-550' }, cause: { code: 'EENVELOPE', command: 'MAIL FROM', responseCode: 550 } },
    });
    // The RCPTs and DATA were on their way (the server answered them 503) and reached no hook.
    expect(readWith(pipelined.reads, 'MAIL FROM')).toEqual([expect.stringMatching(GROUP)]);
    expect(pipelined.rcptSeen).toEqual([]);
    expect(pipelined.mails).toEqual([]);
  });

  it('some recipients refused: the others get the mail and the refusals come back as nodemailer reports them', async () => {
    const { pipelined, sequential } = await bothWays({ onRcpt: (address) => (address === A ? smtpError(550, '5.1.1 No such user') : undefined) });
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toEqual({
      receipt: {
        messageId: '<pipelining-1@alertgw>',
        response: expect.stringMatching(/^250 /),
        accepted: [B],
        rejected: [{ address: A, responseCode: 550, response: expect.stringMatching(/^550 5\.1\.1 No such user/) }],
      },
    });
    expect(pipelined.mails.map((x) => x.rcptTo)).toEqual([[B]]);
  });

  it('every recipient refused and DATA refused (503): nobody is sent anything, the receipt lists the refusals', async () => {
    const { pipelined, sequential } = await bothWays({ onRcpt: () => smtpError(550, '5.1.1 No such user') });
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toMatchObject({ receipt: { response: '', accepted: [], rejected: [{ address: A, responseCode: 550 }, { address: B, responseCode: 550 }] } });
    expect(pipelined.mails).toEqual([]);
  });

  it('every recipient refused but DATA still answered 354: a lone dot ends it, so no message goes to nobody', async () => {
    // A broken server: it refuses each RCPT yet keeps it in the envelope, so DATA gets 354.
    const { pipelined, sequential } = await bothWays({
      onRcpt: (address, session) => {
        session.envelope.rcptTo.push({ address, args: false });
        return smtpError(550, '5.1.1 No such user');
      },
    });
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toMatchObject({ receipt: { accepted: [], rejected: [{ address: A }, { address: B }] } });
    expect(readWith(pipelined.reads, 'Message-ID')).toEqual([]);
    expect(pipelined.reads).toContain('.\r\n');
    // The server saw an empty message end; the mail's content never left.
    expect(pipelined.mails.map((x) => x.raw)).toEqual(['']);
  });

  it('the server refuses the message after the dot: the same "Message failed" error as without pipelining', async () => {
    const { pipelined, sequential } = await bothWays({ onData: () => smtpError(554, '5.6.0 Content rejected') });
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toMatchObject({ error: { code: 'SEND_PERMANENT', cause: { code: 'EMESSAGE', command: 'DATA', responseCode: 554 } } });
  });

  it('no reply to the pipelined commands: the socket timeout fails the mail as without pipelining (ETIMEDOUT, retryable)', async () => {
    const { pipelined, sequential } = await bothWays({ onMailFrom: () => NO_REPLY }, mail(), 300);
    expect(pipelined.outcome).toEqual(sequential.outcome);
    expect(pipelined.outcome).toMatchObject({ error: { code: 'SEND_TRANSIENT', retryable: true, details: { providerCode: 'ETIMEDOUT' } } });
  });

  describe('421 in the middle of the group stays the "slow down" path: the mail goes again within the same send', () => {
    const firstOnly = (reply: () => Error) => {
      let calls = 0;
      return () => (calls++ === 0 ? reply() : undefined);
    };

    it.each([
      ['MAIL FROM', { onMailFrom: firstOnly(() => smtpError(421, '4.7.0 Slow down')) }],
      ['RCPT TO', { onRcpt: firstOnly(() => smtpError(421, '4.7.0 Slow down')) }],
    ] as Array<[string, TestSmtpOptions]>)('421 to %s', async (_command, opts) => {
      const server = await startSmtpServer({ parse: false, ...opts });
      try {
        const outcome = await sendOne(server);
        expect(outcome).toEqual({ receipt: expect.objectContaining({ accepted: [A, B], rejected: [] }) });
        expect(server.mails).toHaveLength(1);
        // Delivered within one send(): only the transport's slow-down path sends a mail again
        // itself. Two connections: the one the server closed after its 421, and the one that delivered.
        expect(readWith(server.reads, 'MAIL FROM')).toEqual([expect.stringMatching(GROUP), expect.stringMatching(GROUP)]);
      } finally {
        await server.close();
      }
    });
  });

  it('changes only the transport’s own pool: another nodemailer pool in the process still sends one command at a time', async () => {
    const server = await startSmtpServer({ parse: false });
    const other = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: server.port, logger: false });
    try {
      await sendOne(server);
      await other.sendMail({ envelope: { from: 'alerts@example.com', to: [A, B] }, raw: buildMessage(mail()) });
      const mailFrom = readWith(server.reads, 'MAIL FROM');
      expect(mailFrom).toEqual([expect.stringMatching(GROUP), expect.stringMatching(/^MAIL FROM:<alerts@example\.com>[^\r\n]*\r\n$/)]);
      expect(server.mails).toHaveLength(2);
    } finally {
      other.close();
      await server.close();
    }
  });
});
