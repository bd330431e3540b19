import { createPublicKey, type KeyObject } from 'node:crypto';
import { IANAZone } from 'luxon';
import { checkRoutes } from '../resolver/check-routes';
import { createDirectory, isScheduleTarget, targetProblem, type Directory } from '../resolver/directory';
import { checkSchedules } from '../schedule/check-schedules';
import { checkAckLinks } from './check-ack-links';
import { checkRobotReferences } from './check-robots';
import { checkUrlCredentials, checkWebhookExposure } from './check-hardening';
import type { ConfigProblem } from './config-path';
import type { GatewayConfig, JwtAlgorithm, JwtConfig } from './types';

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
  for (const check of [checkUsers, checkRobots, checkRouting, checkScheduleSection, checkEscalations, checkEmail, checkMailTransport, checkSms, checkQueue, checkAuth, checkAlertmanager, checkWebhookExposure, checkUrlCredentials, checkAckLinks]) {
    try {
      check(cfg, add);
    } catch (err) {
      if (!opts.tolerant) throw err;
    }
  }
  return problems;
}

/**
 * The checks of the directory part alone (users, routes with their escalations, mandatory),
 * for a directory changed through the API: the same rules as at startup, same messages.
 */
export function checkDirectory(
  cfg: Pick<GatewayConfig, 'users' | 'routes' | 'mandatory' | 'channels'> & { schedules?: GatewayConfig['schedules']; robots?: GatewayConfig['robots'] },
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add: Add = (path, message) => {
    problems.push({ path, message });
  };
  const whole = { ...cfg, robots: cfg.robots ?? [] } as GatewayConfig;
  for (const check of [checkUsers, checkRobots, checkRouting, checkEscalations]) check(whole, add);
  // The live directory stores every schedule with its zone (filled in from schedulesTimeZone).
  for (const p of checkSchedules(cfg.schedules ?? [], cfg.users, { zoneRequired: true })) add(p.path, p.message);
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
    phoneAt(add, `users[${i}].phone`, user.phone);
  });
}

function phoneAt(add: Add, path: string, value: unknown): void {
  if (typeof value === 'string' && !isE164(value)) add(path, 'must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)');
}

/** Robots: references only for the webhook and the secret; mention phones like users' phones. */
function checkRobots(cfg: GatewayConfig, add: Add): void {
  const robots = cfg.robots ?? [];
  for (const p of checkRobotReferences(robots)) add(p.path, p.message);
  robots.forEach((robot, i) => robot.mentions?.mobiles?.forEach((mobile, j) => phoneAt(add, `robots[${i}].mentions.mobiles[${j}]`, mobile)));
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

function checkScheduleSection(cfg: GatewayConfig, add: Add): void {
  if (typeof cfg.schedulesTimeZone === 'string' && !IANAZone.isValidZone(cfg.schedulesTimeZone)) add('schedulesTimeZone', `"${cfg.schedulesTimeZone}" is not an IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)`);
  for (const p of checkSchedules(cfg.schedules ?? [], cfg.users, { zoneRequired: false })) add(p.path, p.message);
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

/**
 * Escalation targets must exist, and at least one of them must be reachable: a user with a
 * phone (escalation is by SMS) or a chat robot.
 */
function checkEscalations(cfg: GatewayConfig, add: Add): void {
  const directory = createDirectory(cfg.users ?? [], cfg.schedules ?? [], cfg.robots ?? []);
  (cfg.routes ?? []).forEach((route, i) => {
    (route.escalate ?? []).forEach((tier, t) => {
      const at = `routes[${i}].escalate[${t}]`;
      let reachable = false;
      (tier.notify ?? []).forEach((target, j) => {
        const expansion = directory.expand(target);
        if (!expansion.ok) add(`${at}.notify[${j}]`, targetProblem(expansion));
        // A schedule is judged by its members, not by whoever happens to be on right now.
        else if (isScheduleTarget(target)) reachable ||= scheduleHasPhone(directory, cfg.schedules ?? [], target);
        else if ((expansion.robots ?? []).length > 0 || expansion.users.some((u) => typeof u.phone === 'string' && u.phone !== '')) reachable = true;
      });
      if (!reachable && (tier.notify ?? []).every((target) => directory.expand(target).ok)) {
        add(`${at}.notify`, 'nobody here has a phone: escalations are sent by SMS');
      }
    });
  });
}

const HS256_MIN_LENGTH = 32;

/** The keys named by auth.jwt must exist, parse and fit the algorithms; secrets are never echoed. */
function checkAuth(cfg: GatewayConfig, add: Add): void {
  const jwt = cfg.auth?.jwt;
  if (!jwt) return;
  if (jwt.hs256Secret !== '' && jwt.hs256Secret.length < HS256_MIN_LENGTH) {
    add('auth.jwt.hs256Secret', `must be at least ${HS256_MIN_LENGTH} characters (256 bits, RFC 7518 3.2); e.g. openssl rand -base64 48`);
  }
  let key: KeyObject | undefined;
  if (jwt.publicKey !== '') {
    try {
      key = createPublicKey(jwt.publicKey);
    } catch {
      add('auth.jwt.publicKey', 'is not a PEM public key ("-----BEGIN PUBLIC KEY-----", RSA or EC P-256)');
    }
  }
  if (jwt.publicKey !== '' && !jwt.audience) {
    add('auth.jwt.audience', 'is required with auth.jwt.publicKey: your identity provider signs tokens for other applications with the same key; set the `aud` it issues for alertgw');
  }
  for (const [i, alg] of jwt.algorithms.entries()) {
    if (alg === 'HS256' && jwt.hs256Secret === '') add(`auth.jwt.algorithms[${i}]`, 'HS256 needs auth.jwt.hs256Secret');
    if (alg !== 'HS256' && jwt.publicKey === '') add(`auth.jwt.algorithms[${i}]`, `${alg} needs auth.jwt.publicKey`);
    if (alg !== 'HS256' && key && publicKeyAlgorithm(key) !== alg) add(`auth.jwt.algorithms[${i}]`, `${alg} does not fit the public key (${describeKey(key)})`);
  }
  if (key && jwt.algorithms.length === 0 && publicKeyAlgorithm(key) === undefined) {
    add('auth.jwt.publicKey', `${describeKey(key)} is not supported: use an RSA key (RS256) or an EC P-256 key (ES256)`);
  }
}

/** The one algorithm a public key verifies here: RS256 for RSA, ES256 for EC P-256. */
export function publicKeyAlgorithm(key: KeyObject): JwtAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/** Algorithms auth.jwt accepts: the configured list, else one per key set. */
export function jwtAlgorithms(jwt: JwtConfig): JwtAlgorithm[] {
  if (jwt.algorithms.length > 0) return jwt.algorithms;
  const out: JwtAlgorithm[] = [];
  if (jwt.hs256Secret !== '') out.push('HS256');
  if (jwt.publicKey !== '') {
    try {
      const alg = publicKeyAlgorithm(createPublicKey(jwt.publicKey));
      if (alg) out.push(alg);
    } catch {
      // checkAuth reports it.
    }
  }
  return out;
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `${key.asymmetricKeyType ?? 'unknown'} key${curve ? ` on ${curve}` : ''}`;
}

function checkAlertmanager(cfg: GatewayConfig, add: Add): void {
  const am = cfg.alertmanager;
  if (!am) return;
  if (am.bearerToken && am.basic) add('alertmanager', 'set bearerToken or basic, not both');
  if (am.url !== '' && am.basic && am.basic.password === '') add('alertmanager.basic.password', EMPTY_SECRET);
}

/** True when anyone a schedule can put on call has a phone. */
function scheduleHasPhone(directory: Directory, schedules: GatewayConfig['schedules'], target: string): boolean {
  const schedule = schedules.find((s) => `schedule:${s.name}` === target.trim());
  return (schedule?.layers ?? [])
    .flatMap((l) => l.members)
    .concat((schedule?.overrides ?? []).map((o) => o.user))
    .some((m) => {
      const e = directory.expand(m);
      return e.ok && e.users.some((u) => typeof u.phone === 'string' && u.phone !== '');
    });
}
