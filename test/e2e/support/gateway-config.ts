import { stringify } from 'yaml';
import type { FakeTencent } from '../../../packages/notifier-sms/test/support/fake-tencent';
import { smsConfig } from '../../../packages/notifier-sms/test/support/harness';

/** A person of the test directory. Numbers are from test-only / fictional ranges. */
export interface Person {
  name: string;
  email: string;
  phone: string;
  groups: string[];
}

/**
 * The directory: the mandatory on-call (domestic number), a DBA reached through the
 * team=db route (international number, so both SMS templates are used) and a web
 * engineer nobody's route picks, who must get nothing.
 */
export const PEOPLE = {
  oncall: { name: 'oncall-ann', email: 'oncall-ann@example.com', phone: '+8613800000001', groups: ['oncall'] },
  dba: { name: 'dba-bo', email: 'dba-bo@example.com', phone: '+14155550123', groups: ['dba'] },
  bystander: { name: 'web-cy', email: 'web-cy@example.com', phone: '+8613800000003', groups: ['web'] },
} satisfies Record<string, Person>;

/** Environment variable names the config reads its secrets from (literal secrets are refused). */
export const SECRET_ENV = {
  ingestToken: 'E2E_INGEST_TOKEN',
  tencentId: 'E2E_TENCENT_SECRET_ID',
  tencentKey: 'E2E_TENCENT_SECRET_KEY',
} as const;

/** Ports and peers the services are wired to. */
export interface GatewayWiring {
  keyPrefix: string;
  ingestPort: number;
  emailOpsPort: number;
  smsOpsPort: number;
  /** notifier-chat's ops port; 0 or absent = none (stacks that do not watch it). */
  chatOpsPort?: number;
  smtpPort: number;
  fake: FakeTencent;
}

/**
 * The YAML config file all three services read, as an operator would write it: secrets as
 * `${...}` references, channels left at their defaults (SMS: critical/error, firing only).
 */
export function gatewayConfigYaml(w: GatewayWiring): string {
  const sms = smsConfig(w.fake);
  const config = {
    redis: { keyPrefix: w.keyPrefix },
    // A fast retry if something transient happens, so a failure shows within the test's time.
    queue: { backoff: { baseMs: 200, maxMs: 2000 } },
    // debug: the leak check then covers every line the services can write.
    log: { level: 'debug' },
    users: Object.values(PEOPLE),
    mandatory: ['group:oncall'],
    ownerLabel: 'owner',
    routes: [
      { name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'] },
      { name: 'web-team', matchers: ['team="web"'], notify: ['group:web'] },
    ],
    ingest: {
      listen: { host: '127.0.0.1', port: w.ingestPort },
      auth: { bearerTokens: [`\${${SECRET_ENV.ingestToken}}`] },
    },
    email: {
      from: 'Alert Gateway <alerts@example.com>',
      transport: 'smtp',
      smtp: {
        host: '127.0.0.1',
        port: w.smtpPort,
        requireTLS: false,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 5000,
      },
      concurrency: 2,
      listen: { host: '127.0.0.1', port: w.emailOpsPort },
    },
    sms: {
      tencent: {
        ...sms.tencent,
        secretId: `\${${SECRET_ENV.tencentId}}`,
        secretKey: `\${${SECRET_ENV.tencentKey}}`,
      },
      templates: sms.templates,
      concurrency: 2,
      listen: { host: '127.0.0.1', port: w.smsOpsPort },
    },
    // No robots here: notifier-chat, started with the others, runs dry.
    chat: { concurrency: 2, listen: { host: '127.0.0.1', port: w.chatOpsPort ?? 0 } },
  };
  return stringify(config);
}
