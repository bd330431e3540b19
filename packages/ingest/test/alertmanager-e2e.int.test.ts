import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from '@alertgw/shared/testing';
import { getAlert } from '@alertgw/shared';
import { startIngest, type Ingest } from './support/harness';

/** The Debian/Ubuntu package's binary; ALERTMANAGER_BIN points elsewhere. */
const BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

describe('end to end with a real Alertmanager', () => {
  let ingest: Ingest;
  let am: ChildProcess | undefined;
  let amUrl: string;
  let dir: string;
  let amLog = '';

  beforeAll(async () => {
    if (!existsSync(BIN)) {
      throw new Error(
        `Alertmanager not found at ${BIN}: install it (apt-get install prometheus-alertmanager; .ci/run does) or set ALERTMANAGER_BIN. This test must not be skipped.`,
      );
    }
    ingest = await startIngest();
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-am-'));
    const config = [
      'route:',
      '  receiver: gateway',
      "  group_by: ['alertname']",
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: gateway',
      '    webhook_configs:',
      `      - url: ${ingest.url}/webhook/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      '            credentials: test-token-123',
      '',
    ].join('\n');
    writeFileSync(path.join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      BIN,
      [
        `--config.file=${path.join(dir, 'alertmanager.yml')}`,
        `--storage.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    am.stderr!.on('data', (c: Buffer) => (amLog += c.toString()));
    await waitFor(
      async () => {
        if (am!.exitCode !== null) throw new Error(`Alertmanager exited (${am!.exitCode}): ${amLog}`);
        return (await fetch(`${amUrl}/-/ready`).catch(() => null))?.ok;
      },
      15_000,
      'Alertmanager to be ready',
    );
  });

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am!.once('exit', r));
      am.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    await ingest?.close();
  });

  const postAlerts = async (alerts: object[]) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status).toBe(200);
  };

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
    expect(await ingest.redis.pttl(`{${ingest.prefix}:alerts}:a:${fingerprint}`)).toBeGreaterThan(0);
  });
});
