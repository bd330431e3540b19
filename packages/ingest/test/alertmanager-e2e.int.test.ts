import { getAlert } from '@alertgw/shared';
import { startAlertmanager, waitFor, type TestAlertmanager } from '@alertgw/testkit';
import { startIngest, type Ingest } from './support/harness';

describe('end to end with a real Alertmanager', () => {
  let ingest: Ingest;
  let am: TestAlertmanager;

  beforeAll(async () => {
    ingest = await startIngest();
    am = await startAlertmanager({ webhookUrl: `${ingest.url}/webhook/alertmanager`, token: 'test-token-123', groupBy: ['alertname'], groupWait: '1s' });
  });

  afterAll(async () => {
    await am?.stop();
    await ingest?.close();
  });

  const postAlerts = (alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }>) => am.post(alerts);

  it('turns what Alertmanager sends into tasks and alert records, firing then resolved', async () => {
    const labels = { alertname: 'E2EReplicationLag', severity: 'critical', team: 'db', instance: 'db-9', owner: 'zhangsan' };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await postAlerts([{ labels, annotations: { summary: 'lag <b>120s</b>' }, startsAt }]);

    const email = ingest.queues.get('email')!;
    const sms = ingest.queues.get('sms')!;
    await waitFor(async () => (await email.list('pending')).length > 0, 15_000, 'the firing task');
    const [firing] = await email.list('pending');
    expect(firing.payload).toMatchObject({ status: 'firing', severity: 'critical', receiver: 'gateway' });
    expect(firing.payload.recipients.map((r) => r.name)).toEqual(['oncall-a', 'zhangsan', 'lisi']);
    expect(firing.payload.alerts[0].labels).toEqual(labels);
    expect((await sms.list('pending')).map((t) => t.payload.status)).toEqual(['firing']);

    const fingerprint = firing.payload.alerts[0].fingerprint;
    const record = await getAlert(ingest.redis, ingest.prefix, fingerprint);
    expect(record?.alert).toMatchObject({ status: 'firing', severity: 'critical', labels, annotations: { summary: 'lag <b>120s</b>' } });
    expect(record?.timeline.map((e) => e.type)).toEqual(['received', 'task-created', 'task-created']);

    await postAlerts([{ labels, annotations: { summary: 'lag <b>120s</b>' }, startsAt, endsAt: new Date().toISOString() }]);
    const isResolved = (t: { payload: { status: string } }) => t.payload.status === 'resolved';
    await waitFor(async () => (await email.list('pending')).some(isResolved), 15_000, 'the resolved task');
    const resolved = (await email.list('pending')).find(isResolved)!;
    expect(resolved.payload.alerts[0].fingerprint).toBe(fingerprint);
    // Resolved SMS are off by default: still only the firing one.
    expect((await sms.list('pending')).map((t) => t.payload.status)).toEqual(['firing']);
    const after = await getAlert(ingest.redis, ingest.prefix, fingerprint);
    expect(after?.alert.status).toBe('resolved');
    expect(after?.timeline.filter((e) => e.type === 'received').map((e) => e.status)).toEqual(['firing', 'resolved']);
    expect(await ingest.redis.pttl(`{${ingest.prefix}}:alerts:a:${fingerprint}`)).toBeGreaterThan(0);
  });
});
