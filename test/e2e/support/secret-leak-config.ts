import { parse, stringify } from 'yaml';
import { SECRET_ID, SECRET_KEY } from '../../../packages/notifier-sms/test/support/harness';
import { gatewayConfigYaml, SECRET_ENV, type GatewayWiring } from './gateway-config';

/**
 * Every kind of secret the gateway is configured with, as obvious fakes. Values hold "/", "+",
 * "@", " " and ":" so that their URL and base64 encodings differ from the plain text.
 */
export const LEAK_SECRETS = {
  webhookToken: 'fake-webhook-token/leak+test=1',
  basicUser: 'am-leak-user',
  basicPassword: 'fake basic p@ss/word+2',
  jwtSecret: 'fake-jwt-secret-for-the-leak-test/0123456789+abcdef',
  smtpUser: 'smtp-leak-user@example.com',
  smtpPassword: 'fake smtp p@ss/word+3',
  tencentSecretId: SECRET_ID,
  tencentSecretKey: SECRET_KEY,
  ackLinkKey: 'fake-ack-link-key-for-the-leak-test/0123456789+abcdef',
} as const;

/** Environment variable names the leak test's config reads its extra secrets from. */
const ENV = {
  basicUser: 'LEAK_BASIC_USER',
  basicPassword: 'LEAK_BASIC_PASSWORD',
  jwtSecret: 'LEAK_JWT_SECRET',
  smtpUser: 'LEAK_SMTP_USER',
  smtpPassword: 'LEAK_SMTP_PASSWORD',
  ackLinkKey: 'LEAK_ACK_LINK_KEY',
} as const;

/** The environment that fills every `${...}` of the config; `dryRun` leaves the Tencent keys empty. */
export function leakTestEnv(opts: { dryRun: boolean }): Record<string, string> {
  return {
    [SECRET_ENV.ingestToken]: LEAK_SECRETS.webhookToken,
    [SECRET_ENV.tencentId]: opts.dryRun ? '' : LEAK_SECRETS.tencentSecretId,
    [SECRET_ENV.tencentKey]: opts.dryRun ? '' : LEAK_SECRETS.tencentSecretKey,
    [ENV.basicUser]: LEAK_SECRETS.basicUser,
    [ENV.basicPassword]: LEAK_SECRETS.basicPassword,
    [ENV.jwtSecret]: LEAK_SECRETS.jwtSecret,
    [ENV.smtpUser]: LEAK_SECRETS.smtpUser,
    [ENV.smtpPassword]: LEAK_SECRETS.smtpPassword,
    [ENV.ackLinkKey]: LEAK_SECRETS.ackLinkKey,
  };
}

/**
 * The end-to-end gateway config with every secret slot in use: webhook bearer token and basic
 * credentials, the JWT secret of the management API, the ack links' key, SMTP AUTH over STARTTLS (the test server
 * refuses AUTH in clear) and the Tencent keys; all as `${...}` references.
 */
export function secretLeakConfigYaml(w: GatewayWiring, tlsCa: string): string {
  const tree = parse(gatewayConfigYaml(w)) as Record<string, Record<string, unknown>>;
  const ingest = tree.ingest as { auth: Record<string, unknown>; publicUrl?: string; ackLinks?: Record<string, unknown> };
  // Ack links on: their key signs every mail's and SMS's links, and must never show itself.
  ingest.publicUrl = 'https://alerts.example.com';
  ingest.ackLinks = { key: `\${${ENV.ackLinkKey}}` };
  ingest.auth.basic = [{ username: `\${${ENV.basicUser}}`, password: `\${${ENV.basicPassword}}` }];
  tree.auth = { jwt: { hs256Secret: `\${${ENV.jwtSecret}}` } };
  const email = tree.email as { smtp: Record<string, unknown> };
  email.smtp.requireTLS = true;
  email.smtp.tls = { ca: tlsCa, servername: 'localhost', rejectUnauthorized: true };
  email.smtp.auth = { user: `\${${ENV.smtpUser}}`, pass: `\${${ENV.smtpPassword}}` };
  return stringify(tree);
}
