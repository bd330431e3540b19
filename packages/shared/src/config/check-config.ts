import { checkRoutes } from '../resolver/check-routes';
import type { ConfigProblem } from './config-path';
import type { GatewayConfig } from './types';

/** E.164: "+", a country code not starting with 0, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{5,14}$/;
/** Deliberately loose: a local part without spaces or brackets, "@", and a host name. */
const EMAIL = /^[^\s@<>()[\],;:"\\]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*$/u;
/** A From header as people write it: `Alert Gateway <alerts@example.com>` or a bare address. */
const NAMED_EMAIL = /^[^<>\r\n]*<([^<>\r\n]+)>$/;
const EMPTY_SECRET = 'is empty: set the environment variable it references (or its *_FILE)';
const NEEDED_TO_SEND = 'is required to send SMS (secrets are set)';

type Add = (path: string, message: string) => void;

/** True when `value` looks like a mail address (no display name). */
export function isEmailAddress(value: string): boolean {
  return EMAIL.test(value);
}

/** True when `value` is an E.164 phone number like +8613800000000. */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/**
 * Lists every problem the JSON schema cannot express: address formats, cross references
 * (routes, channels, users, groups) and combinations that only make sense together.
 * Messages never echo a phone number or a secret. With `tolerant`, a check that trips over
 * an ill-typed value (the schema already failed) is skipped instead of throwing, so the
 * other checks still report.
 */
export function checkConfig(cfg: GatewayConfig, opts: { tolerant?: boolean } = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add: Add = (path, message) => {
    problems.push({ path, message });
  };
  for (const check of [checkUsers, checkRouting, checkEmail, checkMailTransport, checkSms, checkQueue]) {
    try {
      check(cfg, add);
    } catch (err) {
      if (!opts.tolerant) throw err;
    }
  }
  return problems;
}

function emailAt(add: Add, path: string, value: unknown): void {
  if (typeof value === 'string' && !isEmailAddress(value)) add(path, 'must be an email address like alice@example.com');
}

function checkUsers(cfg: GatewayConfig, add: Add): void {
  cfg.users.forEach((user, i) => {
    if (typeof user.name === 'string' && user.name.startsWith('group:')) {
      add(`users[${i}].name`, 'must not start with "group:" (that prefix names a group)');
    }
    emailAt(add, `users[${i}].email`, user.email);
    if (typeof user.phone === 'string' && !isE164(user.phone)) {
      add(`users[${i}].phone`, 'must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)');
    }
  });
}

/** Matchers, notify targets and duplicate names are checkRoutes' job; channels and Cc are ours. */
function checkRouting(cfg: GatewayConfig, add: Add): void {
  for (const p of checkRoutes(cfg)) add(p.path, p.message);
  const channels = new Set(Object.keys(cfg.channels));
  cfg.routes.forEach((route, i) => {
    route.channels?.forEach((ch, j) => {
      if (!channels.has(ch)) add(`routes[${i}].channels[${j}]`, `unknown channel (known: ${[...channels].join(', ')})`);
    });
    route.cc?.forEach((cc, j) => emailAt(add, `routes[${i}].cc[${j}]`, cc));
  });
}

function checkEmail(cfg: GatewayConfig, add: Add): void {
  const from = NAMED_EMAIL.exec(cfg.email.from)?.[1] ?? cfg.email.from;
  if (!isEmailAddress(from.trim())) {
    add('email.from', 'must be an address like alerts@example.com or "Alert Gateway <alerts@example.com>"');
  }
  cfg.email.cc.forEach((cc, i) => emailAt(add, `email.cc[${i}]`, cc));
}

/** The chosen mail transport must be configured, with non-empty secrets; unused ones may be half-filled. */
function checkMailTransport(cfg: GatewayConfig, add: Add): void {
  const { transport, smtp, http } = cfg.email;
  if (transport === 'smtp') {
    if (!smtp) add('email.smtp', 'is required when email.transport is "smtp"');
    else if (smtp.auth && smtp.auth.pass === '') add('email.smtp.auth.pass', EMPTY_SECRET);
  }
  if (transport === 'http') {
    if (!http) add('email.http', 'is required when email.transport is "http"');
    else {
      // An empty token next to basic auth just means "use basic"; alone it is a missing secret.
      if (http.bearerToken === '' && !http.basic) add('email.http.bearerToken', EMPTY_SECRET);
      if (http.basic && http.basic.password === '') add('email.http.basic.password', EMPTY_SECRET);
    }
  }
  if (http?.bearerToken && http.basic) add('email.http', 'set bearerToken or basic, not both');
}

function checkSms(cfg: GatewayConfig, add: Add): void {
  const { tencent, templates } = cfg.sms;
  if ((tencent.secretId === '') !== (tencent.secretKey === '')) {
    add('sms.tencent', 'set both secretId and secretKey (real sending) or neither (dry run)');
  }
  if (tencent.endpoint !== undefined && /[/\s]/.test(tencent.endpoint)) {
    add('sms.tencent.endpoint', 'must be host[:port] like 127.0.0.1:8080, without scheme or path (see sms.tencent.protocol)');
  }
  const sending = tencent.secretId !== '' && tencent.secretKey !== '' && cfg.channels.sms?.enabled !== false;
  if (!sending) return;
  // Dry runs need none of these; real sends would fail on every task without them.
  if (tencent.smsSdkAppId === '') add('sms.tencent.smsSdkAppId', NEEDED_TO_SEND);
  if (tencent.signName === '') add('sms.tencent.signName', 'is required to send SMS to +86 numbers (secrets are set)');
  if (templates.domestic.templateId === '') add('sms.templates.domestic.templateId', NEEDED_TO_SEND);
  if (templates.international?.templateId === '') add('sms.templates.international.templateId', NEEDED_TO_SEND);
}

function checkQueue(cfg: GatewayConfig, add: Add): void {
  if (cfg.queue.backoff.baseMs > cfg.queue.backoff.maxMs) add('queue.backoff.baseMs', 'must not exceed queue.backoff.maxMs');
}
