import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort, waitFor } from '@alertgw/testkit';
import { startSmtpServer, type TestSmtpServer } from '../../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeTencent } from '../../../packages/notifier-sms/test/support/fake-tencent';
import { SECRET_ID, SECRET_KEY, startFake } from '../../../packages/notifier-sms/test/support/harness';
import { childEnv, requireCompiled, SERVICE_MAIN, startChild, type ChildService, type ServiceName } from '../../e2e/support/child-service';
import { gatewayConfigYaml, PEOPLE, SECRET_ENV } from '../../e2e/support/gateway-config';

/** How many service processes a stack runs (one per compiled service): each logs its Redis once and exits 0. */
export const SERVICE_COUNT = Object.keys(SERVICE_MAIN).length;

const ROOT = path.resolve(__dirname, '../../..');
/** alertctl as operators run it. */
export const ALERTCTL_BIN = path.join(ROOT, 'packages/alertctl/bin/alertctl.js');

const READY_MS = 20_000;

/** The three services against one Redis deployment, with the mail and SMS ends they deliver to. */
export interface GatewayStack {
  keyPrefix: string;
  smtp: TestSmtpServer;
  fake: FakeTencent;
  services: Map<ServiceName, ChildService>;
  configFile: string;
  /** The environment the services run with (secrets included), for alertctl. */
  env: NodeJS.ProcessEnv;
  /** Posts a one-alert webhook `Probe<seq>` (critical, team=db); resolves to the HTTP status (0 = no answer). */
  post(seq: number): Promise<number>;
  /** True once the mail and both SMS of `Probe<seq>` arrived. */
  delivered(seq: number): boolean;
  /** Fingerprint ingest stores the alert of `seq` under. */
  fingerprint(seq: number): string;
  /** Every line every service printed. */
  output(): string;
  /** Stops the services (SIGTERM) and the mail and SMS ends; resolves to the exit codes. */
  stop(): Promise<Array<number | null>>;
}

/** Alertname of probe `seq`: it appears in the mail subject and in SMS parameter 2. */
export const probeName = (seq: number): string => `Probe${seq}`;

/**
 * Starts the in-process SMTP server, the Tencent look-alike and the compiled ingest,
 * notifier-email and notifier-sms with the e2e config whose `redis` section is replaced by
 * `redis` (its keyPrefix is set here). `env` carries the Redis secrets. REDIS_URL and CONFIG
 * are taken out of the children's environment: they must reach only the Redis under test.
 */
export async function startGatewayStack(opts: {
  dir: string;
  keyPrefix: string;
  redis: Record<string, unknown>;
  env: Record<string, string>;
  /** Lease of a claimed task: a task whose worker lost Redis mid-send is sent again after it. */
  leaseMs?: number;
}): Promise<GatewayStack> {
  requireCompiled();
  const token = 'redis-deploy-test-token';
  const [smtp, fake] = await Promise.all([startSmtpServer(), startFake()]);
  const [ingestPort, emailOpsPort, smsOpsPort] = [await freePort(), await freePort(), await freePort()];
  const config = parse(gatewayConfigYaml({ keyPrefix: opts.keyPrefix, ingestPort, emailOpsPort, smsOpsPort, smtpPort: smtp.port, fake }));
  config.redis = { ...opts.redis, keyPrefix: opts.keyPrefix };
  // Storm control would merge a run of probes into digests; here every probe is counted.
  config.sms.budget = { maxPerWindow: 10_000, windowMs: 60_000 };
  // A failover must not exhaust a task's tries: they are retried until Redis answers again.
  config.queue.maxAttempts = 50;
  if (opts.leaseMs !== undefined) config.queue.leaseMs = opts.leaseMs;
  const configFile = path.join(opts.dir, 'config.yaml');
  writeFileSync(configFile, stringify(config));

  // REDIS_URL of the caller's would point the services at another Redis than the deployment's.
  const env = childEnv(
    { ...opts.env, CONFIG: configFile, [SECRET_ENV.ingestToken]: token, [SECRET_ENV.tencentId]: SECRET_ID, [SECRET_ENV.tencentKey]: SECRET_KEY },
    ['REDIS_URL'],
  );
  const services = new Map<ServiceName, ChildService>();
  for (const [name, main] of Object.entries(SERVICE_MAIN) as Array<[ServiceName, string]>) {
    services.set(name, startChild(name, process.execPath, [main], { env, cwd: opts.dir }));
  }
  const output = () => [...services.values()].map((s) => s.transcript()).join('\n');
  const stop = async () => {
    const exits = await Promise.all([...services.values()].map((s) => s.stop(10_000)));
    await Promise.all([smtp.close(), fake.close()]);
    return exits.map((e) => e.code);
  };
  const ready = [
    services.get('ingest')!.waitReady(`http://127.0.0.1:${ingestPort}/readyz`, READY_MS),
    services.get('notifier-email')!.waitReady(`http://127.0.0.1:${emailOpsPort}/readyz`, READY_MS),
    services.get('notifier-sms')!.waitReady(`http://127.0.0.1:${smsOpsPort}/readyz`, READY_MS),
  ];
  const settled = await Promise.allSettled(ready);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }

  const fingerprint = (seq: number) => `fp${String(seq).padStart(6, '0')}`;
  const phones = [PEOPLE.oncall.phone, PEOPLE.dba.phone];
  const emails = [PEOPLE.oncall.email, PEOPLE.dba.email];
  return {
    keyPrefix: opts.keyPrefix,
    smtp,
    fake,
    services,
    configFile,
    env,
    fingerprint,
    output,
    stop,
    async post(seq) {
      const labels = { alertname: probeName(seq), team: 'db', severity: 'critical' };
      const alert = { status: 'firing', labels, annotations: { summary: `probe ${seq}` }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: fingerprint(seq) };
      const body = {
        receiver: 'gateway', status: 'firing', alerts: [alert], groupLabels: { alertname: labels.alertname }, commonLabels: labels,
        commonAnnotations: alert.annotations, externalURL: 'http://alertmanager.test:9093', version: '4',
        groupKey: `{}:{alertname="${labels.alertname}"}`, truncatedAlerts: 0,
      };
      const res = await fetch(`http://127.0.0.1:${ingestPort}/webhook/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      }).catch(() => null);
      return res ? (await res.arrayBuffer(), res.status) : 0;
    },
    delivered(seq) {
      const name = probeName(seq);
      const mail = smtp.mails.find((m) => (m.parsed.subject ?? '').includes(name));
      const mailOk = mail !== undefined && emails.every((e) => mail.rcptTo.map((r) => r.toLowerCase()).includes(e));
      return mailOk && phones.every((p) => fake.deliveries.some((d) => d.phone === p && d.params.includes(name)));
    },
  };
}

/** Waits until every probe in `seqs` is delivered by mail and both SMS. */
export async function waitDelivered(stack: GatewayStack, seqs: number[], timeoutMs: number): Promise<void> {
  await waitFor(() => seqs.every((s) => stack.delivered(s)), timeoutMs, `probes ${seqs.join(',')} delivered by mail and SMS`);
}
