import { getAlert } from '@alertgw/shared';
import { waitFor } from '@alertgw/testkit';
import { request, startIngest, TEST_ENV, type Ingest } from './support/harness';
import { startChannelReplica } from './support/channel-replica';

/** The tier fires 1.2 s after ingest first sees the alert: time enough to change the rota first. */
const AFTER_MINUTES = 0.02;

/** deputy holds the leads' weekly rotation; boss covers it by an override that spans the test. */
function withOnCallEscalation(raw: Record<string, unknown>): void {
  (raw.users as unknown[]).push({ name: 'boss', phone: '+8613800000009' }, { name: 'deputy', phone: '+8613800000008' });
  const now = Date.now();
  raw.schedules = [
    {
      name: 'leads',
      timeZone: 'Asia/Shanghai',
      layers: [{ members: ['deputy'], rotation: 'week', start: '2026-01-01' }],
      overrides: [{ user: 'boss', from: new Date(now - 3_600_000).toISOString(), to: new Date(now + 86_400_000).toISOString() }],
    },
  ];
  raw.routes = [{ name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], escalate: [{ afterMinutes: AFTER_MINUTES, notify: ['schedule:leads'] }] }];
}

/**
 * The escalation tier names a schedule. It is resolved when the tier fires, not when the alert
 * arrived: the rota changes in between (the override is removed through the directory store, as
 * PUT /api/v1/schedules does), and the tier's SMS goes to whoever is on call then.
 *
 * WRITTEN FOR THE ESCALATION OF MAIN (ingest's handling Worker fires the tier and enqueues an
 * SMS with the recipients it resolved). Once the escalation rework (branch h/esc: tiers are
 * delayed SMS tasks whose `sendTimeTargets` the channel Worker resolves at each attempt) is
 * merged, the observation point moves to the channel: start `startChannelReplica(ingest)`
 * (h/esc's test support) and read `sent[0].task.payload.recipients` instead of the pending SMS
 * task; the rota change and the expectation (deputy, not boss) stay as they are.
 */
describe('an escalation tier naming a schedule', () => {
  let ingest: Ingest;

  beforeAll(async () => {
    ingest = await startIngest({ patch: withOnCallEscalation, handling: { pollMs: 200, escalationIdleMs: 200 } });
  });
  afterAll(() => ingest?.close());

  it('fires to whoever is on call when it fires', async () => {
    const fp = '0ca11e5c00000001';
    const labels = { alertname: 'ReplicationLag', severity: 'critical', team: 'db' };
    const body = {
      version: '4', receiver: 'gateway', status: 'firing', groupKey: '{}:{team="db"}', truncatedAlerts: 0, externalURL: '', groupLabels: {}, commonLabels: labels, commonAnnotations: {},
      alerts: [{ status: 'firing', labels, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: fp }],
    };
    const handling = ingest.handling!;
    const atAccept = handling.directory.current().directory.expand('schedule:leads');
    expect(atAccept.ok && atAccept.users.map((u) => u.name)).toEqual(['boss']);
    const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
    expect(res.status).toBe(200);

    // The rota changes before the tier is due: boss's override is removed.
    const changed = await handling.store.update('test', (doc) => {
      delete doc.schedules![0]!.overrides;
    });
    await handling.directory.refresh(changed.version);
    const escalated = (await getAlert(ingest.redis, ingest.prefix, fp))!.timeline.filter((e) => e.type === 'escalated');
    expect(escalated).toEqual([]);

    const replica = startChannelReplica(ingest);
    try {
      const sent = await waitFor(async () => replica.sent.find((x) => x.task.payload.deliveryKey.startsWith('escalation:')) ?? null, 10_000, 'the escalation tier to fire');
      expect(sent.task.payload.recipients).toEqual([{ name: 'deputy', address: '+8613800000008', rules: ['escalation:db-team#1'] }]);
    } finally {
      await replica.close();
    }
    const timeline = (await getAlert(ingest.redis, ingest.prefix, fp))!.timeline;
    expect(timeline.filter((e) => e.type === 'escalated')).toEqual([expect.objectContaining({ notify: ['schedule:leads'], recipients: ['deputy'] })]);
  });
});
