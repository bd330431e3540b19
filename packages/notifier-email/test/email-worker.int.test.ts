import { PassThrough } from 'node:stream';
import type Redis from 'ioredis';
import { createLogger, createTimelineRecorder, type NotificationPayload, type TaskQueue, type Worker } from '@alertgw/shared';
import { deleteKeys, freePort, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
// Deep imports: the alert record store is not exported from @alertgw/shared yet.
import { appendTimelines } from '../../shared/src/alerts/append-timeline';
import { getAlert } from '../../shared/src/alerts/read-alerts';
import { upsertAlerts } from '../../shared/src/alerts/upsert-alerts';
import { emailTimelineView } from '../src/timeline-view';
import { createSmtpTransport } from '../src/transports/smtp';
import type { MailTransport } from '../src/transports/types';
import { emailQueue, emailWorker, waitForStatus } from './support/email-queue';
import { payloadFromFixture } from './support/fixtures';
import { selfSignedCert } from './support/self-signed';
import { localSmtpConfig } from './support/smtp-config';
import { smtpError, startSmtpServer, type TestSmtpServer } from './support/smtp-test-server';

describe('email notifier on the shared worker (real Redis, real SMTP)', () => {
  let redis: Redis;
  let prefix: string;
  let queue: TaskQueue<NotificationPayload>;
  const cleanups: Array<() => Promise<void> | void> = [];

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix('email');
    queue = emailQueue(redis, prefix);
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await deleteKeys(redis, prefix);
  });
  afterAll(async () => {
    await redis.quit();
  });

  const run = (server: TestSmtpServer | null, transport: MailTransport, opts: Parameters<typeof emailWorker>[2] = {}): Worker<NotificationPayload> => {
    const worker = emailWorker(queue, transport, opts);
    worker.start();
    cleanups.push(async () => {
      await worker.close(2000);
      transport.close();
      await server?.close();
    });
    return worker;
  };

  it('a server answering 451 twice and then 250 ends in one delivery', async () => {
    const server = await startSmtpServer({ onData: (n) => (n < 2 ? smtpError(451, '4.7.1 greylisted, try again') : undefined) });
    run(server, createSmtpTransport(localSmtpConfig(server.port)));
    const { id } = await queue.enqueue({ payload: payloadFromFixture('firing-one-alert-bearer.json'), severityRank: 3 });

    const task = await waitForStatus(queue, id, ['completed', 'dead']);
    expect(task.status).toBe('completed');
    expect(task.attempts).toBe(3);
    expect(server.mails).toHaveLength(1);
    expect(task.results['alice@example.com']).toMatchObject({
      status: 'delivered',
      detail: { messageId: server.mails[0].parsed.messageId, accepted: ['alice@example.com'] },
    });
    expect(String(task.results['alice@example.com'].detail?.response)).toMatch(/^250 /);
  });

  it('a 550 for one of three recipients: two delivered, one failed, nobody mailed twice', async () => {
    let busyOnce = true;
    const server = await startSmtpServer({
      onRcpt: (address) => {
        if (address === 'gone@example.com') return smtpError(550, '5.1.1 <gone@example.com>: user unknown');
        // bob is refused with 451 once, so the task is retried: alice must not get a second mail.
        if (address === 'bob@example.com' && busyOnce) {
          busyOnce = false;
          return smtpError(451, '4.2.1 mailbox busy');
        }
        return undefined;
      },
    });
    run(server, createSmtpTransport(localSmtpConfig(server.port)));
    const to = ['alice@example.com', 'bob@example.com', 'gone@example.com'];
    const { id } = await queue.enqueue({ payload: payloadFromFixture('firing-truncated-basic-auth.json', to), severityRank: 0 });

    const task = await waitForStatus(queue, id, ['dead', 'completed']);
    expect(task.status).toBe('dead'); // a recipient failed for good: dead letter, replayable
    const received = server.mails.flatMap((m) => m.rcptTo).sort();
    expect(received).toEqual(['alice@example.com', 'bob@example.com']);
    expect(server.rcptSeen.filter((a) => a === 'gone@example.com')).toHaveLength(1);
    expect(task.results['alice@example.com'].status).toBe('delivered');
    expect(task.results['bob@example.com'].status).toBe('delivered');
    expect(task.results['gone@example.com']).toMatchObject({ status: 'failed', code: 'smtp-550' });
    expect(task.results['gone@example.com'].message).toContain('user unknown');
    expect(task.attempts).toBe(2);
  });

  it('server down: retries, then delivers once when it comes back', async () => {
    const port = await freePort();
    const transport = createSmtpTransport(localSmtpConfig(port));
    let server: TestSmtpServer | null = null;
    // Registered first so it runs last: the pooled client connection must be closed before.
    cleanups.push(() => server?.close());
    run(null, transport);
    const { id } = await queue.enqueue({ payload: payloadFromFixture('mixed-resolved-and-firing.json'), severityRank: 1 });

    await waitFor(async () => ((await queue.get(id))?.attempts ?? 0) >= 2, 10_000, 'two failed attempts');
    const meanwhile = await queue.get(id);
    expect(meanwhile?.status).not.toBe('completed');
    expect(meanwhile?.lastError).toMatch(/ESOCKET|ECONNECTION/);

    server = await startSmtpServer({ port });
    const task = await waitForStatus(queue, id, ['completed', 'dead']);
    expect(task.status).toBe('completed');
    expect(server.mails).toHaveLength(1);
    expect(task.results['alice@example.com'].status).toBe('delivered');
  });

  it('a wrong SMTP password dead-letters at once and is logged as a configuration error', async () => {
    const tls = selfSignedCert();
    const server = await startSmtpServer({ tls, auth: { user: 'alerts', pass: 'right-password' } });
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (c: Buffer) => lines.push(...c.toString('utf8').split('\n').filter(Boolean)));
    const transport = createSmtpTransport(
      localSmtpConfig(server.port, {
        requireTLS: true,
        tls: { ca: tls.cert, servername: 'localhost', rejectUnauthorized: true },
        auth: { user: 'alerts', pass: 'Wrong-Pass-123' },
      }),
    );
    run(server, transport, { logger: createLogger({ service: 'notifier-email', stream }) });
    const { id } = await queue.enqueue({ payload: payloadFromFixture('firing-one-alert-bearer.json'), severityRank: 0 });

    const task = await waitForStatus(queue, id, ['dead', 'completed']);
    expect(task.status).toBe('dead');
    expect(task.attempts).toBe(1);
    expect(task.lastError).toMatch(/^EAUTH/);
    await waitFor(() => lines.some((l) => l.includes('configuration error')), 2000, 'config error log line');
    const line = JSON.parse(lines.find((l) => l.includes('configuration error'))!);
    expect(line).toMatchObject({ level: 'error', code: 'EAUTH', taskId: id });
    expect(lines.join('\n')).not.toContain('Wrong-Pass-123');
    expect(server.mails).toHaveLength(0);
  });

  it('records message id, server response and accepted/rejected recipients in the task and every alert timeline', async () => {
    const server = await startSmtpServer({
      onRcpt: (address) => (address === 'gone@example.com' ? smtpError(550, '5.1.1 user unknown') : undefined),
    });
    const payload = payloadFromFixture('mixed-resolved-and-firing.json', ['alice@example.com', 'gone@example.com']);
    await upsertAlerts(redis, {
      prefix,
      alerts: payload.alerts,
      receiver: payload.receiver,
      groupKey: payload.groupKey,
      deliveryKey: payload.deliveryKey,
      tasks: [],
      retentionMs: 60_000,
    });
    const onSettled = createTimelineRecorder<NotificationPayload>('email', (fps, event) => appendTimelines(redis, prefix, fps, event), emailTimelineView);
    run(server, createSmtpTransport(localSmtpConfig(server.port)), { onSettled });
    const { id } = await queue.enqueue({ payload, severityRank: 1 });

    const task = await waitForStatus(queue, id, ['dead', 'completed']);
    const messageId = server.mails[0].parsed.messageId;
    expect(task.results['alice@example.com'].detail).toMatchObject({ messageId, accepted: ['alice@example.com'], rejected: ['gone@example.com'] });

    for (const alert of payload.alerts) {
      let events: Array<Record<string, unknown>> = [];
      await waitFor(
        async () => {
          events = (await getAlert(redis, prefix, alert.fingerprint))?.timeline.filter((e) => e.type === 'notification') ?? [];
          return events.length > 0;
        },
        5000,
        `timeline of ${alert.fingerprint}`,
      );
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        channel: 'email',
        taskId: id,
        taskStatus: 'dead',
        messageId,
        accepted: ['alice@example.com'],
        rejected: ['gone@example.com'],
        results: {
          'alice@example.com': { status: 'delivered', response: expect.stringMatching(/^250 /) },
          'gone@example.com': { status: 'failed', code: 'smtp-550', message: expect.stringContaining('user unknown') },
        },
      });
    }
  });
});
