import { waitFor } from '@alertgw/testkit';
import { request, startIngest, TEST_ENV, type Ingest } from './support/harness';
import { startChannelReplica } from './support/channel-replica';

/** A route names a schedule: the delivery is accepted while one person is on call, the rota changes, the send reaches the new one. */
describe('a delivery naming a schedule is sent to whoever is on call at the send', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({
      patch: (raw) => {
        const now = Date.now();
        raw.schedules = [{ name: 'web', timeZone: 'UTC', layers: [{ members: ['lisi'], rotation: 'week', start: '2026-01-01' }], overrides: [{ user: 'zhangsan', from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 3_600_000).toISOString() }] }];
        raw.routes = [{ name: 'web', matchers: ['team="web"'], notify: ['schedule:web'] }];
        raw.mandatory = [];
      },
      handling: { pollMs: 200, loops: false },
    });
  });
  afterAll(() => ingest?.close());
  it('sends by email to the override user, and after the rota changes to the layer', async () => {
    const labels = { alertname: 'Down', team: 'web', severity: 'warning' };
    const body = { version: '4', receiver: 'g', status: 'firing', groupKey: '{}:{team="web"}', truncatedAlerts: 0, externalURL: '', groupLabels: {}, commonLabels: labels, commonAnnotations: {},
      alerts: [{ status: 'firing', labels, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: '7e1a100000000001' }] };
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);
    const changed = await ingest.handling!.store.update('test', (doc) => {
      delete doc.schedules![0]!.overrides;
    });
    await ingest.handling!.directory.refresh(changed.version);
    const replica = startChannelReplica(ingest, { channel: 'email' });
    try {
      const sent = await waitFor(async () => replica.sent[0] ?? null, 10_000, 'the email');
      expect(sent.task.payload.recipients.map((r) => r.address)).toEqual(['lisi@example.com']);
    } finally {
      await replica.close();
    }
  });
});
