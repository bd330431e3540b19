import type { ConfigProblem } from './config-path';
import { secretsIn } from './secret-keys';
import type { GatewayConfig } from './types';

type Add = (path: string, message: string) => void;

/**
 * Placeholders the repository has shipped or documents (`change-me…`, `replace-me`, `<your
 * token>`): anyone who read the repository knows them, so a config carrying one must not start.
 * Bounded by letters only (not \b), so `alertgw_change_me` counts while `exchange-meter` does not.
 */
const PLACEHOLDER = /(?<![a-z])(?:change|replace)[-_ ]?me(?![a-z])|^<[^<>]*>$/i;

/** True when `value` is one of the placeholder secrets anyone who read the repository knows. */
export function isPlaceholderSecret(value: string): boolean {
  return PLACEHOLDER.test(value.trim());
}

/** True for host names and addresses only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^(?:::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The webhook must not take alerts from anyone on the network unless the operator said so. */
export function checkWebhookExposure(cfg: GatewayConfig, add: Add): void {
  const { listen, auth } = cfg.ingest;
  if (auth.bearerTokens.length > 0 || auth.basic.length > 0 || auth.allowAnonymous) return;
  if (isLoopbackHost(listen.host)) return;
  add(
    'ingest.auth',
    `has no credentials while ingest.listen.host (${listen.host}) is reachable from other machines, so anyone there could inject alerts: ` +
      'set ingest.auth.bearerTokens or ingest.auth.basic (from the environment) and the same in Alertmanager http_config, ' +
      'or listen on 127.0.0.1, or set ingest.auth.allowAnonymous: true',
  );
}

/**
 * Lists secrets (after substitution) that everybody knows; names the path, never the value.
 * buildConfig runs it before the other checks, so a placeholder is not also called too short.
 */
export function findPlaceholderSecrets(tree: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { path, value } of secretsIn(tree)) {
    if (typeof value === 'string' && isPlaceholderSecret(value)) {
      problems.push({ path, message: 'is a placeholder from the documentation: generate a real secret, e.g. openssl rand -hex 32' });
    }
  }
  const redisPassword = passwordOf((tree as { redis?: { url?: unknown } } | undefined)?.redis?.url);
  if (redisPassword !== undefined && isPlaceholderSecret(redisPassword)) {
    problems.push({ path: 'redis.url', message: 'carries a placeholder password from the documentation: set a real one on Redis and here' });
  }
  return problems;
}

/** URLs (other than Redis') must not carry credentials: they end up in errors, logs and tickets. */
export function checkUrlCredentials(cfg: GatewayConfig, add: Add): void {
  const urls: Array<[string, string | undefined, string]> = [
    ['alertmanager.url', cfg.alertmanager.url, 'alertmanager.bearerToken or alertmanager.basic'],
    ['email.http.url', cfg.email.http?.url, 'email.http.bearerToken or email.http.basic'],
  ];
  for (const [path, url, instead] of urls) {
    if (url && hasUserInfo(url)) add(path, `must not carry credentials (user:password@): use ${instead}, from the environment`);
  }
  const { endpoint } = cfg.sms.tencent;
  if (endpoint?.includes('@')) add('sms.tencent.endpoint', 'must not carry credentials (user@): the Tencent API signs requests with secretId/secretKey');
  if (cfg.email.smtp?.host.includes('@')) add('email.smtp.host', 'must be a host name, without credentials (user@): use email.smtp.auth');
}

function hasUserInfo(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    // Not a URL the schema accepts either; it reports that. An "@" before the path still counts.
    return /^[^/]*\/\/[^/]*@/.test(url);
  }
}

function passwordOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' && url ? decodeURIComponent(new URL(url).password) : undefined;
  } catch {
    return undefined;
  }
}
