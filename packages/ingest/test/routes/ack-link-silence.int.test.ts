import { ackLinkSettings, createAckLinkIssuer, getAlert, type NotificationPayload } from '@alertgw/shared';
import { freePort, startAlertmanager, type TestAlertmanager } from '@alertgw/testkit';
import { createAlertmanagerClient } from '../../src/handling/alertmanager-client';
import { group } from '../support/ack-link-delivery';
import { request, startIngest, TEST_ENV, type Ingest } from '../support/harness';

/** The page's "also silence for 1h/4h" against a real Alertmanager. */
describe('ack link with a silence', () => {
  let ingest: Ingest;
  let am: TestAlertmanager;

  beforeAll(async () => {
    const amPort = await freePort();
    ingest = await startIngest({
      handling: { pollMs: 200 },
      patch: (raw) => {
        raw.alertmanager = { url: `http://127.0.0.1:${amPort}` };
        Object.assign(raw.ingest as object, { publicUrl: 'https://alerts.example.com', ackLinks: { key: '${ACK_LINK_KEY}' } });
      },
    });
    am = await startAlertmanager({ webhookUrl: `${ingest.url}/webhook/alertmanager`, token: TEST_ENV.INGEST_TOKEN, port: amPort });
  });
  afterAll(async () => {
    await am?.stop();
    await ingest?.close();
  });

  /** A firing alert delivered to ingest, and lisi's link for it (the path part). */
  const alertWithLink = async (fp: string) => {
    const body = group([fp]);
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
    const links = await createAckLinkIssuer(ackLinkSettings(ingest.config), ingest.redis)!.forPayload({ alerts: body.alerts } as unknown as NotificationPayload);
    return links.alert(fp, 'lisi')!.slice('https://alerts.example.com'.length);
  };
  const post = (path: string, form: string) => request(ingest.url, 'POST', path, { 'Content-Type': 'application/x-www-form-urlencoded' }, form);

  it('offers 1h and 4h, and an ack with 1h creates the silence as the link recipient', async () => {
    const fp = '5113ce0000000001';
    const path = await alertWithLink(fp);
    const page = await request(ingest.url, 'GET', path);
    expect(page.body).toContain('name="silence" value="1h"');
    expect(page.body).toContain('name="silence" value="4h"');

    const done = await post(path, 'silence=1h');
    expect(done.status).toBe(200);
    expect(done.body).toContain('Acked as lisi, silenced for 1h');
    const ack = (await getAlert(ingest.redis, ingest.prefix, fp))!.timeline.find((e) => e.type === 'ack')!;
    expect(ack).toMatchObject({ by: 'lisi', via: 'link', silence: { id: expect.any(String) } });
    const silence = (await createAlertmanagerClient({ url: am.url, timeoutMs: 2000 }).getSilence((ack.silence as { id: string }).id))!;
    expect(silence.status.state).toBe('active');
    expect(silence.createdBy).toBe('lisi');
    expect(silence.comment).toContain('(link)');
    const hours = (Date.parse(silence.endsAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(0.95);
    expect(hours).toBeLessThanOrEqual(1);
  });

  it('refuses a silence the page does not offer, and acks nothing', async () => {
    const fp = '5113ce0000000002';
    const path = await alertWithLink(fp);
    const res = await post(path, 'silence=30d');
    expect(res.status).toBe(400);
    expect(res.body).toContain('Silence must be one of: none, 1h, 4h.');
    expect((await getAlert(ingest.redis, ingest.prefix, fp))!.timeline.filter((e) => e.type === 'ack')).toEqual([]);
  });
});
