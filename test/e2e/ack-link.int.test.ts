import { ackGroupId, ackLinkSettings, AckTokenCodec, createAckLinkIssuer, createChannelWorker, createLogger, getAlert, HandlingKeys, Worker } from '@alertgw/shared';
import type { NotificationPayload, TaskQueue, TaskRecord } from '@alertgw/shared';
import { waitFor } from '@alertgw/testkit';
import { group } from '../../packages/ingest/test/support/ack-link-delivery';
import { request, startIngest, TEST_ENV, type Ingest } from '../../packages/ingest/test/support/harness';
import { createEmailChannel } from '../../packages/notifier-email/src/email-channel';
import { createRenderer } from '../../packages/notifier-email/src/render/create-renderer';
import { createSmtpTransport } from '../../packages/notifier-email/src/transports/smtp';
import { localSmtpConfig } from '../../packages/notifier-email/test/support/smtp-config';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../../packages/notifier-email/test/support/smtp-test-server';
import type { SmsPayload } from '../../packages/notifier-sms/src/digest';
import { createSmsChannel } from '../../packages/notifier-sms/src/sms-channel';

// Links point at a public name with a path, as behind a reverse proxy; the test sends them to ingest directly.
const PUBLIC_URL = 'https://alerts.example.com/gw';
/** Escalation to "boss" (by SMS) when a critical db alert stays unacked for 2.4 s. */
const ESCALATE_AFTER_MS = 2400;
const BOSS_PHONE = '+8613800000009';

function configure(raw: Record<string, unknown>): void {
  (raw.users as unknown[]).push({ name: 'boss', phone: BOSS_PHONE, groups: ['leads'] });
  raw.routes = [
    { name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], escalate: [{ afterMinutes: ESCALATE_AFTER_MS / 60_000, notify: ['group:leads'] }] },
  ];
  Object.assign(raw.ingest as object, { publicUrl: PUBLIC_URL, ackLinks: { key: '${ACK_LINK_KEY}' } });
  // Dry-run SMS whose parameters carry the link: what an escalation SMS would say.
  raw.sms = { templates: { domestic: { templateId: '1', params: [{ expr: 'alertname' }, { expr: 'ackUrl', maxLength: 200 }] } } };
}

describe('ack links: from a rendered mail to an ack in ingest', () => {
  let ingest: Ingest;
  let smtp: TestSmtpServer;
  const workers: Array<Worker<NotificationPayload>> = [];

  beforeAll(async () => {
    ingest = await startIngest({ patch: configure, handling: { pollMs: 200, escalationIdleMs: 200 } });
    smtp = await startSmtpServer();
    const logger = createLogger({ service: 'ack-link-test', level: 'error' });
    const ackLinks = createAckLinkIssuer(ackLinkSettings(ingest.config), ingest.redis);
    const email = createEmailChannel({ transport: createSmtpTransport(localSmtpConfig(smtp.port)), renderer: createRenderer(), from: 'alerts@example.com', ackLinks });
    const sms = createSmsChannel({ config: ingest.config.sms, api: null, queue: ingest.queues.get('sms') as unknown as TaskQueue<SmsPayload>, logger, ackLinks });
    workers.push(new Worker({ queue: ingest.queues.get('email')!, handler: email, blockTimeoutMs: 200 }));
    // SMS as notifier-sms runs it: behind the channel kit's gate, which resolves an escalation tier's targets when it fires.
    workers.push(createChannelWorker({ name: 'sms', config: ingest.config, redis: ingest.redis, queue: ingest.queues.get('sms')!, handler: sms as never, concurrency: 4, logger, blockTimeoutMs: 200 }));
    for (const w of workers) w.start();
  });
  afterAll(async () => {
    for (const w of workers) await w.close(2000);
    await smtp?.close();
    await ingest?.close();
  });

  const deliver = async (body: unknown) => {
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
  };
  const mailTo = (address: string, fp: string) =>
    waitFor(() => smtp.mails.find((m) => m.rcptTo.includes(address) && String(m.parsed.text).includes(`replica ${fp} `)), 10_000, `the mail to ${address} about ${fp}`);
  /** Every ack link in a mail's HTML, in order (the group's first, then each alert's). */
  const linksIn = (mail: ReceivedMail) => [...String(mail.parsed.html).matchAll(/href="(https:\/\/alerts\.example\.com\/gw\/ack\/[A-Za-z0-9_-]+)"/g)].map((m) => m[1]!);
  const path = (link: string) => link.slice(PUBLIC_URL.length - '/gw'.length);
  const get = (link: string) => request(ingest.url, 'GET', path(link));
  const post = (link: string, form = '', headers: Record<string, string> = {}) =>
    request(ingest.url, 'POST', path(link), { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, form);
  const timeline = async (fp: string) => (await getAlert(ingest.redis, ingest.prefix, fp))!.timeline;
  /** Dry-run SMS sent to the escalation tier's phone about `fp`. */
  const smsToBoss = async (fp: string) => {
    const tasks: Array<TaskRecord<NotificationPayload>> = [];
    for (const state of ['pending', 'active', 'delayed', 'completed', 'dead'] as const) tasks.push(...(await ingest.queues.get('sms')!.list(state, { offset: 0, limit: 500 })));
    return tasks.filter((t) => t.payload.alerts.some((a) => a.fingerprint === fp) && t.results?.[BOSS_PHONE]?.status === 'dry-run');
  };
  /** Everything a GET could have changed about an alert. */
  const stateOf = async (fp: string) => {
    const keys = new HandlingKeys(ingest.prefix);
    return {
      record: await ingest.redis.hgetall(keys.alerts.record(fp)),
      timeline: await ingest.redis.lrange(keys.alerts.timeline(fp), 0, -1),
      ack: await ingest.redis.hget(keys.acks, fp),
      escalation: await ingest.redis.hgetall(keys.escalation(fp)),
      handling: await ingest.handling!.tasks.counts(),
    };
  };

  it('the link in a real mail acks the alert as its recipient, and its escalation tier never fires', async () => {
    const acked = 'ac4111e400000001';
    const ignored = '1660aed000000001';
    await deliver(group([acked]));
    await deliver(group([ignored]));
    const due = Date.now() + ESCALATE_AFTER_MS;

    const mail = await mailTo('zhangsan@example.com', acked);
    expect(mail.rcptTo).toEqual(['zhangsan@example.com']);
    const [link] = linksIn(mail);
    expect(String(mail.parsed.text)).toContain(`Ack: ${link}`);
    // Short enough for an SMS: the host, "/gw/ack/" and about 50 characters of token.
    expect(link!.length).toBeLessThan(100);
    // Every copy is signed for its reader: lisi's mail carries another link.
    expect(linksIn(await mailTo('lisi@example.com', acked))[0]).not.toBe(link);

    const before = await stateOf(acked);
    const page = await get(link!);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page.body).toContain(`replica ${acked} lags 120s`);
    expect(page.body).toContain('Not acked yet');
    expect(page.body).toContain('<strong style="color:#111827;">zhangsan</strong>');
    expect(page.body).toContain('<button type="submit"');
    // A GET (a mail scanner following the link) changes nothing.
    expect(await stateOf(acked)).toEqual(before);

    const done = await post(link!, 'silence=');
    expect(done.status).toBe(200);
    expect(done.body).toContain('Acked as zhangsan');
    expect(done.body).not.toContain('<button');
    const tl = await timeline(acked);
    expect(tl.filter((e) => e.type === 'ack')).toEqual([expect.objectContaining({ by: 'zhangsan', via: 'link' })]);
    expect(tl.find((e) => e.type === 'escalation-cancelled')).toMatchObject({ reason: 'acked', by: 'zhangsan' });

    // The tier's time passes: the unacked alert escalates to boss by SMS, the acked one does not.
    const escalated = await waitFor(async () => (await smsToBoss(ignored))[0], ESCALATE_AFTER_MS + 10_000, 'the unacked alert to escalate');
    expect(Date.now()).toBeGreaterThanOrEqual(due);
    await waitFor(async () => {
      const c = await ingest.handling!.tasks.counts();
      return c.delayed + c.pending + c.active === 0;
    }, 5000, 'the handling queue to run everything due');
    expect(await smsToBoss(acked)).toEqual([]);

    // The escalation SMS carries boss's own link: it opens the page as boss.
    const smsLink = String((escalated.results![BOSS_PHONE]!.detail as { TemplateParamSet: string[] }).TemplateParamSet[1]);
    expect(smsLink.startsWith(`${PUBLIC_URL}/ack/`)).toBe(true);
    expect((await get(smsLink)).body).toContain('<strong style="color:#111827;">boss</strong>');

    // Idempotent: the same link again says who acked, and changes nothing.
    const again = await post(link!);
    expect(again.status).toBe(200);
    expect(again.body).toContain('Already acked by zhangsan');
    expect((await timeline(acked)).filter((e) => e.type === 'ack')).toHaveLength(1);
  });

  it('a group link acks every firing alert of the group, through a stored group with a TTL', async () => {
    const fps = ['9a0c000000000001', '9a0c000000000002', '9a0c000000000003'];
    await deliver(group(fps));
    const mail = await mailTo('oncall-a@example.com', fps[0]!);
    const links = linksIn(mail);
    expect(links).toHaveLength(1 + fps.length);
    expect(String(mail.parsed.html)).toContain('Ack all 3');
    const page = await get(links[0]!);
    expect(page.status).toBe(200);
    for (const fp of fps) expect(page.body).toContain(`replica ${fp} lags 120s`);

    const done = await post(links[0]!);
    expect(done.status).toBe(200);
    expect(done.body).toContain('Acked 3 alerts as oncall-a');
    for (const fp of fps) expect((await timeline(fp)).find((e) => e.type === 'ack')).toMatchObject({ by: 'oncall-a', via: 'link' });
    // The link names the group by a hash of its fingerprints; the list lives as long as the links.
    const stored = new HandlingKeys(ingest.prefix).ackGroup(ackGroupId(fps));
    expect(JSON.parse((await ingest.redis.get(stored))!)).toEqual(fps);
    expect(await ingest.redis.pttl(stored)).toBeGreaterThan(ingest.config.ingest.ackLinks.lifetimeMs);
    // A group that is gone (or altered in Redis: it no longer hashes to its id) acks nothing.
    await ingest.redis.set(stored, JSON.stringify(fps.slice(1)));
    const gone = await get(links[0]!);
    expect(gone.status).toBe(410);
    expect(gone.body).toContain('no longer stored');
  });

  it('refuses tampered, expired and foreign links, a replay after resolve, and a POST from another site, and says why', async () => {
    const fp = 'de00000000000001';
    const startsAt = new Date(Date.now() - 1000).toISOString();
    await deliver(group([fp], 'firing', startsAt));
    const issuer = createAckLinkIssuer(ackLinkSettings(ingest.config), ingest.redis)!;
    const payload = { alerts: group([fp]).alerts } as unknown as NotificationPayload;
    const link = (await issuer.forPayload(payload)).alert(fp, 'lisi')!;
    // The delivery's SMS settles first: its `notification` event must not land between the two snapshots.
    await waitFor(async () => (await timeline(fp)).some((e) => e.type === 'notification' && e.channel === 'sms'), 10_000, 'the SMS notification event');
    const before = await stateOf(fp);
    const token = link.slice(link.lastIndexOf('/') + 1);

    // One character changed inside the signed part.
    const at = 12;
    const tampered = `${PUBLIC_URL}/ack/${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`;
    for (const res of [await get(tampered), await post(tampered)]) {
      expect(res.status).toBe(403);
      expect(res.body).toContain('This link has been altered');
    }
    const sign = (key: string, prefix: string, expiresAtMs: number) =>
      `${PUBLIC_URL}/ack/${new AckTokenCodec(key, prefix).sign({ subject: { kind: 'alert', fingerprint: fp }, recipient: 'lisi', expiresAtMs })}`;
    const expired = await post(sign(TEST_ENV.ACK_LINK_KEY, ingest.prefix, Date.now() - 1000));
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This link has expired');
    for (const foreign of [sign('another-deployment-key-0123456789abcdef', ingest.prefix, Date.now() + 60_000), sign(TEST_ENV.ACK_LINK_KEY, 'other-deployment', Date.now() + 60_000)]) {
      const res = await post(foreign);
      expect(res.status).toBe(403);
      expect(res.body).toContain('signed by another alertgw deployment');
    }
    const malformed = await get(`${PUBLIC_URL}/ack/not-a-token`);
    expect(malformed.status).toBe(400);
    const crossSite = await post(link, '', { Origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('came from another site');
    expect(await stateOf(fp)).toEqual(before);

    // The alert resolves; the link, replayed, acks nothing and says so.
    await deliver(group([fp], 'resolved', startsAt));
    const replay = await post(link);
    expect(replay.status).toBe(409);
    expect(replay.body).toContain('The alert has resolved');
    expect((await timeline(fp)).filter((e) => e.type === 'ack')).toEqual([]);
    const view = await get(link);
    expect(view.status).toBe(200);
    expect(view.body).not.toContain('<button');
  });

  it('a short code (for SMS templates) leads to its signed link, changes nothing on the way, and an unknown one is refused', async () => {
    const fp = 'c0de000000000001';
    await deliver(group([fp]));
    const issuer = createAckLinkIssuer(ackLinkSettings(ingest.config), ingest.redis)!;
    const link = (await issuer.forPayload({ alerts: group([fp]).alerts } as unknown as NotificationPayload)).alert(fp, 'lisi')!;
    const code = await issuer.shortCode(link);
    expect(`${PUBLIC_URL}/ack/c/${code}`.length).toBeLessThan(55);
    await waitFor(async () => (await timeline(fp)).some((e) => e.type === 'notification' && e.channel === 'sms'), 10_000, 'the SMS notification event');
    const before = await stateOf(fp);

    const hop = await get(`${PUBLIC_URL}/ack/c/${code}`);
    expect(hop.status).toBe(303);
    expect(hop.headers.location).toBe(link);
    expect(hop.headers['cache-control']).toBe('no-store');
    expect((await get(link)).body).toContain('<strong style="color:#111827;">lisi</strong>');
    expect(await stateOf(fp)).toEqual(before);

    for (const unknown of ['AAAAAAAAAA', `${code.slice(0, 9)}-`, 'short']) {
      const refused = await get(`${PUBLIC_URL}/ack/c/${unknown}`);
      expect(refused.status).toBe(410);
      expect(refused.body).toContain('This short link is unknown or has expired');
    }
  });

  it('escapes alert text on the page', async () => {
    const fp = 'e5c0000000000001';
    const body = group([fp]);
    body.alerts[0]!.annotations.summary = '<script>alert(1)</script> & "quoted"';
    await deliver(body);
    const issuer = createAckLinkIssuer(ackLinkSettings(ingest.config), ingest.redis)!;
    const link = (await issuer.forPayload({ alerts: body.alerts } as unknown as NotificationPayload)).alert(fp, 'lisi')!;
    const page = await get(link);
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
