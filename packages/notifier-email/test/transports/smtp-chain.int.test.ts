import { createSmtpTransport } from '../../src/transports/smtp';
import type { OutgoingMail } from '../../src/transports/types';
import { localSmtpConfig } from '../support/smtp-config';
import { smtpError, startSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp-test-server';

const signal = new AbortController().signal;
const A = 'a@example.com';
const B = 'b@example.com';

function mail(n: number, priority = 2): OutgoingMail {
  return {
    from: 'Alert Gateway <alerts@example.com>',
    to: [A, B],
    cc: [],
    envelopeTo: [A, B],
    subject: `Disk full on db-${n}`,
    text: `mail ${n}\n.starts with a dot`,
    html: `<p>mail ${n}</p>`,
    messageId: `<chain-${n}@alertgw>`,
    inReplyTo: '<group@alertgw>',
    references: '<group@alertgw>',
    headers: { Date: 'Mon, 30 Nov 2026 19:00:00 +0000' },
    attachments: [],
    priority,
  };
}

type Outcome = { ok: string[]; rejected: unknown[] } | { error: { code?: string; cause?: { code?: unknown; responseCode?: unknown; command?: unknown } } };

/** Sends `count` mails at once over a one-connection transport: the first goes alone, the others wait at the gate. */
async function sendAll(server: TestSmtpServer, mails: OutgoingMail[], rateLimit = 0): Promise<Outcome[]> {
  const transport = createSmtpTransport(localSmtpConfig(server.port, { pool: { maxConnections: 1, rateDeltaMs: 1000, rateLimit } }));
  try {
    return await Promise.all(
      mails.map((m) =>
        transport.send(m, signal).then(
          (r): Outcome => ({ ok: r.accepted, rejected: r.rejected }),
          (err: Error & { code?: string; cause?: Record<string, unknown> }): Outcome => ({
            error: { code: err.code, cause: { code: err.cause?.code, responseCode: err.cause?.responseCode, command: err.cause?.command } },
          }),
        ),
      ),
    );
  } finally {
    transport.close();
  }
}

async function withServer<T>(opts: TestSmtpOptions, run: (server: TestSmtpServer) => Promise<T>): Promise<T> {
  // parse: false: the raw message and its Message-ID are what these tests compare.
  const server = await startSmtpServer({ parse: false, dataDelayMs: 30, ...opts });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

/** A read that holds a message's final dot and the next mail's whole command group. */
const DOT_THEN_NEXT = /\r\n\.\r\nMAIL FROM:<alerts@example\.com>[^\r\n]*\r\nRCPT TO:<a@example\.com>\r\nRCPT TO:<b@example\.com>\r\nDATA\r\n$/;
const ids = (server: TestSmtpServer) => server.mails.map((m) => m.messageId).sort();
const nth = (n: number, reply: () => Error) => {
  let calls = 0;
  return () => (calls++ === n ? reply() : undefined);
};

describe('the next mail’s commands behind a message’s dot (RFC 2920 §3.1), real smtp-server', () => {
  it('with mails waiting, each goes behind the dot of the one before it: every mail delivered once, the same bytes', async () => {
    const mails = [1, 2, 3, 4].map((n) => mail(n));
    const chained = await withServer({}, async (server) => {
      const out = await sendAll(server, mails);
      return { out, reads: [...server.reads], ids: ids(server), raw: server.mails.map((m) => m.raw).sort() };
    });
    const plain = await withServer({ hidePipelining: true }, async (server) => {
      const out = await sendAll(server, mails);
      return { out, reads: [...server.reads], ids: ids(server), raw: server.mails.map((m) => m.raw).sort() };
    });
    expect(chained.out).toEqual(mails.map(() => ({ ok: [A, B], rejected: [] })));
    expect(chained.ids).toEqual(['<chain-1@alertgw>', '<chain-2@alertgw>', '<chain-3@alertgw>', '<chain-4@alertgw>']);
    // Mails 2-4 each went behind the dot of the one before, on the one connection.
    expect(chained.reads.filter((r) => DOT_THEN_NEXT.test(r))).toHaveLength(3);
    // Without PIPELINING nothing goes behind a dot, and the server gets the same.
    expect(plain.out).toEqual(chained.out);
    expect(plain.reads.filter((r) => /\r\n\.\r\nMAIL FROM/.test(r))).toEqual([]);
    // nodemailer's MIME boundaries are random: compared by place.
    const boundaries = (raw: string) => raw.replace(/_NmP-[0-9a-f]+-Part_/g, 'BOUNDARY');
    expect(plain.raw.map(boundaries)).toEqual(chained.raw.map(boundaries));
  });

  it('with nodemailer’s rate limit set (pool.rateLimit), every mail goes through the pool that counts them', async () => {
    await withServer({}, async (server) => {
      const out = await sendAll(server, [mail(1), mail(2), mail(3)], 100);
      expect(out).toEqual([1, 2, 3].map(() => ({ ok: [A, B], rejected: [] })));
      expect(server.reads.filter((r) => /\r\n\.\r\nMAIL FROM/.test(r))).toEqual([]);
    });
  });

  it('the most urgent waiting mail goes behind the dot first', async () => {
    await withServer({}, async (server) => {
      await sendAll(server, [mail(1), mail(2, 2), mail(3, 2), mail(4, 0)]);
      expect(server.mails.map((m) => m.messageId)).toEqual(['<chain-1@alertgw>', '<chain-4@alertgw>', '<chain-2@alertgw>', '<chain-3@alertgw>']);
    });
  });

  it('the next mail’s MAIL FROM refused: that mail fails as it would alone, the one before and after are delivered', async () => {
    await withServer({ onMailFrom: nth(1, () => smtpError(550, '5.7.1 Sender refused')) }, async (server) => {
      const out = await sendAll(server, [mail(1), mail(2), mail(3)]);
      expect(out[0]).toEqual({ ok: [A, B], rejected: [] });
      expect(out[1]).toMatchObject({ error: { code: 'SEND_PERMANENT', cause: { code: 'EENVELOPE', responseCode: 550, command: 'MAIL FROM' } } });
      expect(out[2]).toEqual({ ok: [A, B], rejected: [] });
      expect(ids(server)).toEqual(['<chain-1@alertgw>', '<chain-3@alertgw>']);
      expect(server.reads.some((r) => DOT_THEN_NEXT.test(r))).toBe(true);
    });
  });

  it('the next mail’s recipients refused: the receipt lists them, and nothing goes to nobody', async () => {
    let mailFrom = 0;
    await withServer(
      {
        onMailFrom: () => void mailFrom++,
        onRcpt: (address) => (mailFrom === 2 ? smtpError(550, `5.1.1 ${address} unknown`) : undefined),
      },
      async (server) => {
        const out = await sendAll(server, [mail(1), mail(2), mail(3)]);
        expect(out[0]).toEqual({ ok: [A, B], rejected: [] });
        expect(out[1]).toMatchObject({ ok: [], rejected: [{ address: A, responseCode: 550 }, { address: B, responseCode: 550 }] });
        expect(out[2]).toEqual({ ok: [A, B], rejected: [] });
        expect(ids(server)).toEqual(['<chain-1@alertgw>', '<chain-3@alertgw>']);
        expect(server.reads.some((r) => DOT_THEN_NEXT.test(r))).toBe(true);
      },
    );
  });

  it('the next mail refused by nodemailer before anything is written (no recipient): the mail before it is unharmed', async () => {
    await withServer({}, async (server) => {
      const none = { ...mail(2), to: [], envelopeTo: [] };
      const out = await sendAll(server, [mail(1), none, mail(3)]);
      expect(out[0]).toEqual({ ok: [A, B], rejected: [] });
      expect(out[1]).toMatchObject({ error: { cause: { code: 'EENVELOPE' } } });
      expect(out[2]).toEqual({ ok: [A, B], rejected: [] });
      expect(ids(server)).toEqual(['<chain-1@alertgw>', '<chain-3@alertgw>']);
      // One connection throughout: the refusal did not close the one mail 1 was on.
      expect(server.reads.filter((r) => r.startsWith('EHLO'))).toHaveLength(1);
    });
  });

  it('the dot before it refused: that mail fails, the next goes back and is delivered once (on a new connection)', async () => {
    await withServer({ onData: (n) => (n === 0 ? smtpError(554, '5.6.0 Content rejected') : undefined) }, async (server) => {
      const out = await sendAll(server, [mail(1), mail(2), mail(3)]);
      expect(out[0]).toMatchObject({ error: { code: 'SEND_PERMANENT', cause: { code: 'EMESSAGE', responseCode: 554 } } });
      expect(out.slice(1)).toEqual([
        { ok: [A, B], rejected: [] },
        { ok: [A, B], rejected: [] },
      ]);
      expect(ids(server)).toEqual(['<chain-2@alertgw>', '<chain-3@alertgw>']);
      // Mail 2's commands had gone behind the refused dot; its message had not.
      expect(server.reads.some((r) => DOT_THEN_NEXT.test(r))).toBe(true);
    });
  });

  it.each([
    ['the dot before it', { onData: nth(0, () => smtpError(421, '4.7.0 Closing, try later')) }],
    ['its MAIL FROM', { onMailFrom: nth(1, () => smtpError(421, '4.7.0 Closing, try later')) }],
    ['its RCPT TO', { onRcpt: nth(2, () => smtpError(421, '4.7.0 Closing, try later')) }],
  ] as Array<[string, TestSmtpOptions]>)('421 to %s closes the connection with the next mail in flight: every mail is delivered once, within its send', async (_where, opts) => {
    await withServer(opts, async (server) => {
      const out = await sendAll(server, [mail(1), mail(2), mail(3)]);
      expect(out).toEqual([1, 2, 3].map(() => ({ ok: [A, B], rejected: [] })));
      expect(ids(server)).toEqual(['<chain-1@alertgw>', '<chain-2@alertgw>', '<chain-3@alertgw>']);
      // Mail 2's commands went behind mail 1's dot.
      expect(server.reads.some((r) => DOT_THEN_NEXT.test(r))).toBe(true);
    });
  });
});
