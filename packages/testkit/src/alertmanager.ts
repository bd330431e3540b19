import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@alertgw/shared';
import { waitFor } from './wait-for';

/** The Debian/Ubuntu package's binary; ALERTMANAGER_BIN points elsewhere. */
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** A real Alertmanager on a free loopback port, delivering to `webhookUrl` with the test bearer token. */
export interface TestAlertmanager {
  url: string;
  /** What Alertmanager wrote to stderr so far (warnings and errors). */
  log(): string;
  /** Posts alerts to its API v2, as Prometheus does. */
  post(alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string }>): Promise<void>;
  stop(): Promise<void>;
}

/** How the test Alertmanager routes: everything to one webhook receiver with a bearer token. */
export interface TestAlertmanagerOptions {
  webhookUrl: string;
  token: string;
  port?: number;
  /** Default ['...']: every alert its own group. */
  groupBy?: string[];
  /** Default 0s. */
  groupWait?: string;
}

/**
 * Starts the real Alertmanager (Debian package) on a free loopback port without clustering;
 * fails with a clear message when the binary is missing: these tests must not be skipped.
 * group_interval is 1 s, so a firing and a resolved notification take seconds.
 */
export async function startAlertmanager(opts: TestAlertmanagerOptions): Promise<TestAlertmanager> {
  const { webhookUrl, token } = opts;
  let port = opts.port;
  if (!existsSync(ALERTMANAGER_BIN)) {
    throw new Error(
      `Alertmanager not found at ${ALERTMANAGER_BIN}: install it (apt-get install prometheus-alertmanager; .ci/run does) or set ALERTMANAGER_BIN. This test must not be skipped.`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'alertgw-am-'));
  writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: gateway',
      `  group_by: [${(opts.groupBy ?? ['...']).map((l) => `'${l}'`).join(', ')}]`,
      `  group_wait: ${opts.groupWait ?? '0s'}`,
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: gateway',
      '    webhook_configs:',
      `      - url: ${webhookUrl}`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization:',
      '            type: Bearer',
      `            credentials: ${token}`,
      '',
    ].join('\n'),
  );
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const am: ChildProcess = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  am.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  await waitFor(
    async () => {
      if (am.exitCode !== null) throw new Error(`Alertmanager exited (${am.exitCode}): ${log}`);
      return (await fetch(`${url}/-/ready`).catch(() => null))?.ok;
    },
    15_000,
    'Alertmanager to be ready',
  );
  return {
    url,
    log: () => log,
    async post(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (res.status !== 200) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async stop() {
      if (am.exitCode === null) {
        const exited = new Promise((r) => am.once('exit', r));
        am.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
