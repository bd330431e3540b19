import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '@alertgw/testkit';
import { startChild, type ChildService } from './child-service';

/** The Debian/Ubuntu package's binary; ALERTMANAGER_BIN points elsewhere. */
export const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** One alert as Alertmanager's API v2 takes it (POST /api/v2/alerts). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

/** A running Alertmanager and the two API calls the test makes. */
export interface Alertmanager {
  url: string;
  service: ChildService;
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  /** Alerts Alertmanager holds now, with the fingerprints it computed. */
  alerts(): Promise<Array<{ fingerprint: string; labels: Record<string, string> }>>;
}

/** Throws the one clear line CI needs when the binary is missing; this test must not be skipped. */
export function requireAlertmanager(): void {
  if (!existsSync(ALERTMANAGER_BIN)) {
    throw new Error(
      `Alertmanager not found at ${ALERTMANAGER_BIN}: install it (apt-get install prometheus-alertmanager; CI does) or set ALERTMANAGER_BIN. This test must not be skipped.`,
    );
  }
}

/**
 * Starts Alertmanager in `dir` on a free loopback port, without clustering, routing every
 * alert to the gateway webhook with a bearer token, and waits until /-/ready answers.
 * group_wait and group_interval are 1 s so a firing and a resolved notification take seconds.
 */
export async function startAlertmanager(opts: { dir: string; webhookUrl: string; token: string; env: NodeJS.ProcessEnv }): Promise<Alertmanager> {
  requireAlertmanager();
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
    `      - url: ${opts.webhookUrl}`,
    '        send_resolved: true',
    '        http_config:',
    '          authorization:',
    '            type: Bearer',
    `            credentials: ${opts.token}`,
    '',
  ].join('\n');
  const file = path.join(opts.dir, 'alertmanager.yml');
  writeFileSync(file, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = startChild(
    'alertmanager',
    ALERTMANAGER_BIN,
    [
      `--config.file=${file}`,
      `--storage.path=${path.join(opts.dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // No gossip: a single instance, and no port 9094 to collide with other runs.
      '--cluster.listen-address=',
      '--log.level=info',
    ],
    { env: opts.env, cwd: opts.dir },
  );
  try {
    await service.waitReady(`${url}/-/ready`, 15_000);
  } catch (err) {
    // The caller never gets a handle on a process that did not become ready: stop it here.
    await service.stop(2_000);
    throw err;
  }

  return {
    url,
    service,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (res.status !== 200) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts answered ${res.status}`);
      return (await res.json()) as Array<{ fingerprint: string; labels: Record<string, string> }>;
    },
  };
}
