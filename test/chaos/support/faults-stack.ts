import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '@alertgw/testkit';
import { testAlertMessage } from '../../../packages/alertctl/src/test-alert';
import type { FakeTencent } from '../../../packages/notifier-sms/test/support/fake-tencent';
import { SECRET_ID, SECRET_KEY } from '../../../packages/notifier-sms/test/support/harness';
import { childEnv, requireCompiled, SERVICE_MAIN, startChild, type ChildService, type ServiceName } from '../../e2e/support/child-service';
import { gatewayConfigYaml, SECRET_ENV } from '../../e2e/support/gateway-config';

export { SERVICE_MAIN, type ServiceName };

/** The bearer token ingest accepts in these scenarios (an obvious fake). */
export const FAULTS_TOKEN = 'chaos-faults-test-token';

/** The gateway's three services as real processes on one config, and how to reach and stop them. */
export interface FaultsStack {
  keyPrefix: string;
  dir: string;
  configFile: string;
  /** The environment the services run with (also right for `alertctl`). */
  env: NodeJS.ProcessEnv;
  ingestUrl: string;
  services: Map<ServiceName, ChildService>;
  /** The readiness URL of a service. */
  readyUrl(name: ServiceName): string;
  /** Starts a service (again) and waits until its /readyz answers. */
  start(name: ServiceName): Promise<ChildService>;
  /** Posts one firing critical team=db alert to ingest's webhook as Alertmanager would; returns its fingerprint. */
  postAlert(alertname: string): Promise<string>;
  /** Every process's output, for a failure report. */
  transcript(): string;
  /** Stops what still runs (SIGKILL after 5 s) and removes the directory. */
  cleanup(): Promise<void>;
}

/**
 * Writes the e2e gateway config (patched by `patch`) for `redisUrl`, an SMTP port and a fake
 * Tencent, and prepares the services; none runs until start().
 */
export async function faultsStack(opts: {
  redisUrl: string;
  keyPrefix: string;
  smtpPort: number;
  fake: FakeTencent;
  patch?: (tree: Record<string, any>) => void;
}): Promise<FaultsStack> {
  requireCompiled();
  const dir = mkdtempSync(path.join(tmpdir(), 'alertgw-faults-'));
  const ports = { ingest: await freePort(), 'notifier-email': await freePort(), 'notifier-sms': await freePort(), 'notifier-chat': await freePort() };
  const tree = parse(
    gatewayConfigYaml({ keyPrefix: opts.keyPrefix, ingestPort: ports.ingest, emailOpsPort: ports['notifier-email'], smsOpsPort: ports['notifier-sms'], chatOpsPort: ports['notifier-chat'], smtpPort: opts.smtpPort, fake: opts.fake }),
  ) as Record<string, any>;
  // info, not debug: a minute of retries at debug is a lot of lines to keep.
  tree.log = { level: 'info' };
  opts.patch?.(tree);
  const configFile = path.join(dir, 'config.yaml');
  writeFileSync(configFile, stringify(tree));
  const env: NodeJS.ProcessEnv = {
    ...childEnv(),
    CONFIG: configFile,
    REDIS_URL: opts.redisUrl,
    [SECRET_ENV.ingestToken]: FAULTS_TOKEN,
    [SECRET_ENV.tencentId]: SECRET_ID,
    [SECRET_ENV.tencentKey]: SECRET_KEY,
  };
  const services = new Map<ServiceName, ChildService>();
  const ended: ChildService[] = [];
  const readyUrl = (name: ServiceName) => `http://127.0.0.1:${ports[name]}/readyz`;
  const ingestUrl = `http://127.0.0.1:${ports.ingest}`;
  return {
    keyPrefix: opts.keyPrefix,
    dir,
    configFile,
    env,
    ingestUrl,
    services,
    readyUrl,
    async start(name) {
      const old = services.get(name);
      if (old) ended.push(old);
      const child = startChild(name, process.execPath, [SERVICE_MAIN[name]], { env, cwd: dir });
      services.set(name, child);
      await child.waitReady(readyUrl(name), 20_000);
      return child;
    },
    async postAlert(alertname) {
      const labels = { alertname, team: 'db', severity: 'critical', instance: 'db-1' };
      const message = testAlertMessage({ labels, startsAt: new Date(), receiver: 'gateway', hostname: 'chaos' }, 'firing');
      const res = await fetch(`${ingestUrl}/webhook/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${FAULTS_TOKEN}` },
        body: JSON.stringify(message),
      });
      if (!res.ok) throw new Error(`ingest refused the alert: ${res.status} ${await res.text()}`);
      return message.alerts[0].fingerprint;
    },
    transcript: () => [...ended, ...services.values()].map((s) => s.transcript()).filter(Boolean).join('\n'),
    async cleanup() {
      await Promise.all([...services.values()].map((s) => s.stop(5_000)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn`; on failure prints what every process said (the only way to debug several processes), then rethrows. */
export async function dumpOnFailure(what: string, stack: () => FaultsStack | undefined, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    process.stderr.write(`\n===== ${what} failed; output of the processes =====\n${stack()?.transcript() ?? ''}\n===== end of output =====\n`);
    throw err;
  }
}
