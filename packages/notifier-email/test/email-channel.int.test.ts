import { classifyError } from '@alertgw/shared';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { AddressObject } from 'mailparser';
import { createEmailChannel } from '../src/email-channel';
import { createRenderer } from '../src/render/create-renderer';
import { createSmtpTransport } from '../src/transports/smtp';
import type { MailTransport } from '../src/transports/types';
import { claimedTask } from './support/claimed-task';
import { payloadFromFixture } from './support/fixtures';
import { localSmtpConfig } from './support/smtp-config';
import { smtpError, startSmtpServer, type TestSmtpServer } from './support/smtp-test-server';

const FROM = 'Alert Gateway <alerts@example.com>';
const renderer = createRenderer();
const signal = new AbortController().signal;
const addresses = (a: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address));

describe('email channel against a real SMTP server', () => {
  let server: TestSmtpServer;
  let transport: MailTransport;
  const refuse = new Map<string, Error>();

  beforeAll(async () => {
    server = await startSmtpServer({ onRcpt: (address) => refuse.get(address) });
    transport = createSmtpTransport(localSmtpConfig(server.port));
  });
  afterAll(async () => {
    transport.close();
    await server.close();
  });
  beforeEach(() => {
    server.mails.length = 0;
    refuse.clear();
  });

  it('sends subject, recipients, cc, both parts, escaped HTML and threading headers', async () => {
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const payload = payloadFromFixture('mixed-resolved-and-firing.json', ['alice@example.com', 'bob@example.com'], ['noc@example.com', 'lead@example.com', 'alice@example.com']);
    const outcome = await channel.send(claimedTask(payload, { id: '7' }), ['alice@example.com', 'bob@example.com'], signal);

    const [mail] = await server.waitForMails(1);
    const m = mail.parsed;
    expect(m.subject).toBe('[FIRING:1] HighCPU (cluster=prod-bj)');
    expect(m.from?.value[0]).toMatchObject({ name: 'Alert Gateway', address: 'alerts@example.com' });
    expect(addresses(m.to)).toEqual(['alice@example.com', 'bob@example.com']);
    // The task's Cc, without the To recipient that is also listed there.
    expect(addresses(m.cc)).toEqual(['noc@example.com', 'lead@example.com']);
    expect(mail.from).toBe('alerts@example.com');
    expect(mail.rcptTo.sort()).toEqual(['alice@example.com', 'bob@example.com', 'lead@example.com', 'noc@example.com']);
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(m.html).not.toContain('<script>');
    expect(m.text).toContain('== RESOLVED (1) ==');
    expect(m.messageId).toMatch(/^<alertgw\.7\.[0-9a-f]{16}@example\.com>$/);
    expect(m.inReplyTo).toMatch(/^<alertgw\.group\.[0-9a-f]{32}@example\.com>$/);
    expect(m.references).toBe(m.inReplyTo);
    expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    expect(m.attachments).toHaveLength(0);

    expect(outcome.results['alice@example.com']).toMatchObject({
      status: 'delivered',
      detail: { messageId: m.messageId, accepted: expect.arrayContaining(['alice@example.com', 'bob@example.com']) },
    });
    expect(String(outcome.results['bob@example.com'].detail?.response)).toMatch(/^250 /);
    expect(outcome.results['cc:noc@example.com']?.status).toBe('delivered');
  });

  it('delivers both parts unchanged through a real SMTP session: 7bit for ASCII, base64 otherwise, dots stuffed', async () => {
    const cases = [
      { html: '<p>a</p>\n.\n..two dots\n<p>b</p>\n', text: '.\nline\n.. and more\n', encodings: ['7bit', '7bit'] },
      { html: `<p>磁盘已满 &middot; ${'x'.repeat(1200)}</p>\n.\n`, text: '告警 · 已恢复\n.\n', encodings: ['base64', 'base64'] },
    ];
    for (const c of cases) {
      server.mails.length = 0;
      const rendered = { subject: 'dots', html: c.html, text: c.text };
      await transport.send(
        { from: FROM, to: ['alice@example.com'], cc: [], envelopeTo: ['alice@example.com'], ...rendered, messageId: '<d@example.com>', inReplyTo: '<g@example.com>', references: '<g@example.com>', headers: {}, attachments: [] },
        signal,
      );
      const [mail] = await server.waitForMails(1);
      expect(mail.parsed.html).toBe(c.html);
      expect(mail.parsed.text).toBe(c.text);
      expect([...mail.raw.matchAll(/Content-Transfer-Encoding: (\S+)/g)].map((m) => m[1])).toEqual(c.encodings);
    }
  });

  it('uses the same Message-ID on every attempt and a shared thread root per group', async () => {
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const payload = payloadFromFixture('firing-one-alert-bearer.json');
    // A retry is the same task: same id, same creation time.
    const createdAt = Date.now();
    await channel.send(claimedTask(payload, { id: '8', createdAt }), ['alice@example.com'], signal);
    await channel.send(claimedTask(payload, { id: '8', attempts: 2, createdAt }), ['alice@example.com'], signal);
    await channel.send(claimedTask({ ...payload, status: 'resolved', deliveryKey: 'other' }, { id: '9' }), ['alice@example.com'], signal);
    const mails = await server.waitForMails(3);
    expect(mails[0].parsed.messageId).toBe(mails[1].parsed.messageId);
    expect(mails[2].parsed.messageId).not.toBe(mails[0].parsed.messageId);
    expect(new Set(mails.map((x) => x.parsed.inReplyTo)).size).toBe(1);
  });

  it('attaches the group as JSON when asked', async () => {
    const channel = createEmailChannel({ transport, renderer, from: FROM, attachGroupJson: true });
    await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], signal);
    const [mail] = await server.waitForMails(1);
    expect(mail.parsed.attachments).toHaveLength(1);
    const json = JSON.parse(mail.parsed.attachments[0].content.toString('utf8'));
    expect(json.alerts[0].labels.alertname).toBe('DiskWillFillIn4h');
    expect(json.recipients).toBeUndefined();
  });

  it('records per-recipient results for a partial rejection: 550 failed, 451 retry, the rest delivered', async () => {
    refuse.set('gone@example.com', smtpError(550, '5.1.1 <gone@example.com>: mailbox unavailable'));
    refuse.set('busy@example.com', smtpError(451, '4.3.0 try again later'));
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const to = ['alice@example.com', 'gone@example.com', 'busy@example.com'];
    const outcome = await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json', to)), to, signal);

    const [mail] = await server.waitForMails(1);
    expect(mail.rcptTo).toEqual(['alice@example.com']);
    expect(outcome.results['alice@example.com'].status).toBe('delivered');
    expect(outcome.results['gone@example.com']).toMatchObject({ status: 'failed', code: 'smtp-550' });
    expect(outcome.results['gone@example.com'].message).toContain('550 5.1.1');
    expect(outcome.results['busy@example.com']).toMatchObject({ status: 'retry', code: 'smtp-451' });
    expect(outcome.info).toMatchObject({ accepted: ['alice@example.com'], rejected: ['gone@example.com', 'busy@example.com'] });
  });

  it("copies the task's Cc only: email.cc was merged into the task at accept time, not again here", async () => {
    // Options built from a whole config section carry its cc too; the channel must not add it.
    const options = { transport, renderer, from: FROM, cc: ['late@example.com'] };
    const channel = createEmailChannel(options);
    const payload = payloadFromFixture('firing-one-alert-bearer.json', ['alice@example.com'], ['noc@example.com']);
    const outcome = await channel.send(claimedTask(payload), ['alice@example.com'], signal);
    const [mail] = await server.waitForMails(1);
    expect(addresses(mail.parsed.cc)).toEqual(['noc@example.com']);
    expect(mail.rcptTo.sort()).toEqual(['alice@example.com', 'noc@example.com']);
    expect(Object.keys(outcome.results).sort()).toEqual(['alice@example.com', 'cc:noc@example.com']);
  });

  it('on retry mails only the pending recipients and does not copy Cc again', async () => {
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const payload = payloadFromFixture('firing-one-alert-bearer.json', ['alice@example.com', 'busy@example.com'], ['lead@example.com']);
    const earlier = { 'alice@example.com': { status: 'delivered' as const, at: new Date().toISOString() } };
    const outcome = await channel.send(claimedTask(payload, { results: earlier, attempts: 2 }), ['busy@example.com'], signal);
    const [mail] = await server.waitForMails(1);
    expect(mail.rcptTo).toEqual(['busy@example.com']);
    // The headers still show the whole group, so every copy of the mail looks the same.
    expect(addresses(mail.parsed.to)).toEqual(['alice@example.com', 'busy@example.com']);
    expect(addresses(mail.parsed.cc)).toEqual(['lead@example.com']);
    expect(Object.keys(outcome.results)).toEqual(['busy@example.com']);
  });

  it('turns "all recipients refused" into per-recipient results instead of an exception', async () => {
    refuse.set('gone@example.com', smtpError(550, '5.1.1 no such user'));
    refuse.set('busy@example.com', smtpError(452, '4.2.2 mailbox full'));
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const to = ['gone@example.com', 'busy@example.com'];
    const outcome = await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json', to)), to, signal);
    expect(outcome.results['gone@example.com']).toMatchObject({ status: 'failed', code: 'smtp-550' });
    expect(outcome.results['busy@example.com']).toMatchObject({ status: 'retry', code: 'smtp-452' });
    expect(server.mails).toHaveLength(0);
  });
});

describe('email channel errors for the classifier', () => {
  it('throws a transient error for a 451 after DATA and a permanent one for 554', async () => {
    let reply = smtpError(451, '4.7.1 greylisted');
    const server = await startSmtpServer({ onData: () => reply });
    const transport = createSmtpTransport(localSmtpConfig(server.port));
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const task = claimedTask(payloadFromFixture('firing-one-alert-bearer.json'));
    try {
      const first = await channel.send(task, ['alice@example.com'], signal).catch((e: unknown) => e);
      expect(classifyError(first)).toEqual({ retryable: true, code: 'smtp-451' });
      reply = smtpError(554, '5.7.1 rejected as spam');
      const second = await channel.send(task, ['alice@example.com'], signal).catch((e: unknown) => e);
      expect(classifyError(second)).toEqual({ retryable: false, code: 'smtp-554' });
    } finally {
      transport.close();
      await server.close();
    }
  });

  it('throws a transient connection error when nothing listens', async () => {
    const server = await startSmtpServer();
    const port = server.port;
    await server.close();
    const transport = createSmtpTransport(localSmtpConfig(port));
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    try {
      const err = await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], signal).catch((e: unknown) => e);
      // ECONNREFUSED surfaces as nodemailer's ESOCKET.
      expect(classifyError(err)).toEqual({ retryable: true, code: 'ESOCKET' });
    } finally {
      transport.close();
    }
  });

  it('throws a transient timeout when the server accepts but never greets', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const transport = createSmtpTransport(localSmtpConfig((silent.address() as AddressInfo).port, { greetingTimeoutMs: 200 }));
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    try {
      const err = await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], signal).catch((e: unknown) => e);
      expect(classifyError(err)).toEqual({ retryable: true, code: 'ETIMEDOUT' });
    } finally {
      transport.close();
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('does not send when the lease is already lost', async () => {
    const server = await startSmtpServer();
    const transport = createSmtpTransport(localSmtpConfig(server.port));
    const channel = createEmailChannel({ transport, renderer, from: FROM });
    const aborted = new AbortController();
    aborted.abort(new Error('lease lost'));
    try {
      await expect(channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], aborted.signal)).rejects.toThrow('lease lost');
      expect(server.rcptSeen).toHaveLength(0);
    } finally {
      transport.close();
      await server.close();
    }
  });
});
