import { classifyError } from '@alertgw/shared';
import { createEmailChannel } from '../../src/email-channel';
import { createRenderer } from '../../src/render/create-renderer';
import { createSmtpTransport } from '../../src/transports/smtp';
import { claimedTask } from '../support/claimed-task';
import { payloadFromFixture } from '../support/fixtures';
import { selfSignedCert } from '../support/self-signed';
import { localSmtpConfig } from '../support/smtp-config';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-test-server';

const renderer = createRenderer();
const signal = new AbortController().signal;
const USER = { user: 'alerts', pass: 'correct-horse' };

describe('SMTP with STARTTLS and AUTH', () => {
  let tls: { key: string; cert: string };
  let server: TestSmtpServer;

  beforeAll(async () => {
    tls = selfSignedCert();
    server = await startSmtpServer({ tls, auth: USER });
  });
  afterAll(() => server.close());

  const sendWith = async (overrides: Parameters<typeof localSmtpConfig>[1]) => {
    const transport = createSmtpTransport(localSmtpConfig(server.port, { requireTLS: true, ...overrides }));
    const channel = createEmailChannel({ transport, renderer, from: 'alerts@example.com' });
    try {
      const outcome = await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], signal);
      return { outcome, error: undefined, channel };
    } catch (error) {
      return { outcome: undefined, error, channel };
    } finally {
      transport.close();
    }
  };

  it('upgrades with STARTTLS, verifies the server against the given CA, logs in and delivers', async () => {
    const before = server.mails.length;
    const { outcome, error } = await sendWith({ tls: { ca: tls.cert, servername: 'localhost', rejectUnauthorized: true }, auth: USER });
    expect(error).toBeUndefined();
    expect(outcome!.results['alice@example.com'].status).toBe('delivered');
    const mail = (await server.waitForMails(before + 1))[before];
    expect(mail.secure).toBe(true);
    expect(mail.user).toBe('alerts');
  });

  it('treats a wrong password as a permanent configuration error (EAUTH)', async () => {
    const failuresBefore = server.authFailures;
    const { error } = await sendWith({
      tls: { ca: tls.cert, servername: 'localhost', rejectUnauthorized: true },
      auth: { user: 'alerts', pass: 'wrong' },
    });
    expect(error).toMatchObject({ code: 'SEND_CONFIG', details: { providerCode: 'EAUTH' }, cause: { code: 'EAUTH', responseCode: 535 } });
    expect(classifyError(error)).toEqual({ retryable: false, code: 'EAUTH', configError: true });
    expect(server.authFailures).toBe(failuresBefore + 1);
    // The password never appears in what the worker logs.
    expect(String((error as Error).message)).not.toContain('wrong');
  });

  it('verify() (run at startup) passes with the right password and reports a wrong one', async () => {
    const tlsOpts = { ca: tls.cert, servername: 'localhost', rejectUnauthorized: true };
    const good = createSmtpTransport(localSmtpConfig(server.port, { requireTLS: true, tls: tlsOpts, auth: USER }));
    const bad = createSmtpTransport(localSmtpConfig(server.port, { requireTLS: true, tls: tlsOpts, auth: { user: 'alerts', pass: 'nope' } }));
    try {
      await expect(good.verify()).resolves.toBeUndefined();
      await expect(bad.verify()).rejects.toMatchObject({ code: 'SEND_CONFIG', details: { providerCode: 'EAUTH' }, cause: { responseCode: 535 } });
    } finally {
      good.close();
      bad.close();
    }
  });

  it('refuses a certificate it cannot verify, as a configuration error', async () => {
    const { error } = await sendWith({ tls: { servername: 'localhost', rejectUnauthorized: true }, auth: USER });
    expect(error).toBeDefined();
    expect(classifyError(error)).toMatchObject({ retryable: false, code: 'ETLS-CERT', configError: true });
  });
});

describe('SMTP with implicit TLS (secure: true)', () => {
  it('wraps the connection in TLS from the start and delivers', async () => {
    const tls = selfSignedCert();
    const server = await startSmtpServer({ tls, implicitTls: true, auth: USER });
    const transport = createSmtpTransport(
      localSmtpConfig(server.port, { secure: true, tls: { ca: tls.cert, servername: 'localhost', rejectUnauthorized: true }, auth: USER }),
    );
    const channel = createEmailChannel({ transport, renderer, from: 'alerts@example.com' });
    try {
      const outcome = await channel.send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], signal);
      expect(outcome.results['alice@example.com'].status).toBe('delivered');
      const [mail] = await server.waitForMails(1);
      expect(mail.secure).toBe(true);
      expect(mail.user).toBe('alerts');
    } finally {
      transport.close();
      await server.close();
    }
  });
});

describe('requireTLS against a server without STARTTLS', () => {
  it('does not send in clear text', async () => {
    const server = await startSmtpServer();
    const transport = createSmtpTransport(localSmtpConfig(server.port, { requireTLS: true }));
    const channel = createEmailChannel({ transport, renderer, from: 'alerts@example.com' });
    try {
      const error = await channel
        .send(claimedTask(payloadFromFixture('firing-one-alert-bearer.json')), ['alice@example.com'], signal)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(server.rcptSeen).toHaveLength(0);
      expect(classifyError(error)).toMatchObject({ retryable: false, configError: true });
    } finally {
      transport.close();
      await server.close();
    }
  });
});
