import { stringify } from 'yaml';
import type { FakeTencent } from '../../../packages/notifier-sms/test/support/fake-tencent';
import { smsConfig } from '../../../packages/notifier-sms/test/support/harness';
import type { ServiceName } from '../../e2e/support/child-service';

/** The on-call people every alert reaches: a +86 and a +1 number, so both SMS templates are used. Fictional numbers. */
export const CHAOS_PEOPLE = [
  { name: 'oncall-ann', email: 'oncall-ann@example.com', phone: '+8613800000001', groups: ['oncall'] },
  { name: 'oncall-bo', email: 'oncall-bo@example.com', phone: '+14155550123', groups: ['oncall'] },
];

/** Environment variable names the config reads its secrets from (literal secrets are refused). */
export const CHAOS_SECRET_ENV = {
  ingestToken: 'CHAOS_INGEST_TOKEN',
  tencentId: 'CHAOS_TENCENT_SECRET_ID',
  tencentKey: 'CHAOS_TENCENT_SECRET_KEY',
} as const;

/** What every process of the fleet shares: Redis, providers and the queue timings. */
export interface ChaosWiring {
  redisUrl: string;
  keyPrefix: string;
  smtpPort: number;
  fake: FakeTencent;
  /** host:port the notifiers call for Tencent (the fake, or a proxy in front of it). */
  tencentEndpoint: string;
  leaseMs: number;
  /** Tasks one notifier process sends at once. */
  concurrency: number;
}

/** Which process a config file is for: it listens on `port`, every other listener is off. */
export type ServiceKind = ServiceName;

/**
 * The YAML config of one process of the fleet. Every process gets its own file only because
 * each listens on its own port; the rest is identical, as in a real deployment. A short lease
 * and backoff keep the run within minutes; the SMS budget is far above the load, so storm
 * control never merges (every accepted delivery must end as one SMS per phone).
 */
export function chaosConfigYaml(w: ChaosWiring, kind: ServiceKind, port: number): string {
  const sms = smsConfig(w.fake);
  const listen = (k: ServiceKind) => ({ host: '127.0.0.1', port: k === kind ? port : 0 });
  return stringify({
    redis: { url: w.redisUrl, keyPrefix: w.keyPrefix },
    queue: { leaseMs: w.leaseMs, backoff: { baseMs: 100, maxMs: 1000 } },
    // Thousands of tasks: only what goes wrong is worth a line.
    log: { level: 'warn' },
    users: CHAOS_PEOPLE,
    mandatory: ['group:oncall'],
    ingest: {
      listen: listen('ingest'),
      auth: { bearerTokens: [`\${${CHAOS_SECRET_ENV.ingestToken}}`] },
    },
    email: {
      from: 'Alert Gateway <alerts@example.com>',
      transport: 'smtp',
      smtp: { host: '127.0.0.1', port: w.smtpPort, requireTLS: false, connectionTimeoutMs: 2000, greetingTimeoutMs: 2000, socketTimeoutMs: 5000 },
      concurrency: w.concurrency,
      listen: listen('notifier-email'),
    },
    sms: {
      tencent: { ...sms.tencent, endpoint: w.tencentEndpoint, secretId: `\${${CHAOS_SECRET_ENV.tencentId}}`, secretKey: `\${${CHAOS_SECRET_ENV.tencentKey}}` },
      templates: sms.templates,
      budget: { maxPerWindow: 1_000_000, windowMs: 600_000 },
      concurrency: w.concurrency,
      listen: listen('notifier-sms'),
    },
  });
}
