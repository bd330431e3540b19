/**
 * JSON schema (draft-07) of the configuration file, mirroring ./types.ts key for key.
 * Every object is closed (`additionalProperties: false`) so a misspelt key is an error, not a
 * silently ignored setting; every object has a `default` so ajv's useDefaults fills nested
 * defaults even when a whole section is left out.
 */
import { DIRECTORY_NAME_PATTERN } from '../handling/directory-name';
import { SCHEDULES_SCHEMA } from './schedule-schema';

const str = { type: 'string' } as const;
const nonEmpty = { type: 'string', minLength: 1 } as const;
const posInt = { type: 'integer', minimum: 1 } as const;
const nonNegInt = { type: 'integer', minimum: 0 } as const;
const stringList = { type: 'array', items: nonEmpty, default: [] } as const;
const name = { type: 'string', maxLength: 128, pattern: DIRECTORY_NAME_PATTERN } as const;
/** "host:port" or "[ipv6]:port", as Sentinel and Cluster addresses are written. */
const hostPort = { type: 'string', pattern: '^([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\]):[0-9]{1,5}$' } as const;

/**
 * A provider user id (WeCom userid, DingTalk userId, Feishu open_id), as notifier-chat mentions
 * them (src/mentions.ts): one that could not be mentioned is refused here rather than dropped there.
 */
const chatId = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' } as const;

/** Closed object whose missing keys get defaults. */
function section(properties: Record<string, object>, required: string[] = [], withDefault = true): object {
  return {
    type: 'object',
    additionalProperties: false,
    ...(required.length ? { required } : {}),
    properties,
    ...(withDefault ? { default: {} } : {}),
  };
}

const channelOptions = (severities: string[], statuses: string[]): object =>
  section({
    enabled: { type: 'boolean', default: true },
    severities: { type: 'array', items: nonEmpty, default: severities },
    statuses: {
      type: 'array',
      items: { type: 'string', enum: ['firing', 'resolved'] },
      uniqueItems: true,
      default: statuses,
    },
  });

/** Where a notifier serves /healthz, /readyz and /metrics; port 0 turns it off. */
function opsListen(port: number) {
  return section({
    host: { type: 'string', default: '0.0.0.0' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: port },
  });
}

/** One chat provider's per-robot budget and request timeout. */
function chatProvider(perMinute: number, perSecond?: number) {
  return section({
    rateLimit: section({
      perMinute: { ...posInt, default: perMinute },
      perSecond: perSecond === undefined ? posInt : { ...posInt, default: perSecond },
      windowMs: { ...posInt, default: 60_000 },
    }),
    timeoutMs: { ...posInt, default: 5_000 },
  });
}

const smsTemplate = section(
  {
    templateId: { type: 'string', default: '' },
    params: {
      type: 'array',
      maxItems: 20,
      default: [],
      items: section(
        {
          expr: { type: 'string', maxLength: 2000 },
          // 12 characters per variable is Tencent's cap for personally verified accounts
          // (https://www.tencentcloud.com/document/product/382/40653); organisations may raise it.
          maxLength: { ...posInt, default: 12 },
        },
        ['expr'],
        false,
      ),
    },
  },
  ['templateId'],
  false,
);

const smtp = section(
  {
    host: nonEmpty,
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 587 },
    secure: { type: 'boolean', default: false },
    requireTLS: { type: 'boolean', default: false },
    tls: section({ ca: str, servername: str, rejectUnauthorized: { type: 'boolean', default: true } }),
    // Secrets may be empty here (`${SMTP_PASSWORD:-}`) so that an unused section still loads;
    // checkConfig refuses an empty one for the transport actually in use.
    auth: section({ user: nonEmpty, pass: str }, ['user', 'pass'], false),
    connectionTimeoutMs: { ...posInt, default: 10_000 },
    greetingTimeoutMs: { ...posInt, default: 10_000 },
    socketTimeoutMs: { ...posInt, default: 30_000 },
    pool: section({
      maxConnections: { ...posInt, default: 5 },
      rateDeltaMs: { ...posInt, default: 1_000 },
      // 0 = no rate limit.
      rateLimit: { ...nonNegInt, default: 0 },
    }),
    // Shared by every replica through Redis (a relay's per-client limit); absent: no shared budget.
    maxConnectionsTotal: { ...posInt, maximum: 1000 },
  },
  ['host'],
  false,
);

const httpGateway = section(
  {
    url: { type: 'string', format: 'uri', pattern: '^https?://' },
    bearerToken: str,
    basic: section({ username: nonEmpty, password: str }, ['username', 'password'], false),
    timeoutMs: { ...posInt, default: 10_000 },
  },
  ['url'],
  false,
);

/**
 * Chat group robots. webhookUrl and secret are `${NAME}` references kept as written (checkRobots
 * refuses anything else); notifier-chat resolves them when it sends.
 */
const robots = {
  type: 'array',
  default: [],
  items: section(
    {
      name,
      type: { type: 'string', enum: ['wecom', 'dingtalk', 'feishu'] },
      webhookUrl: nonEmpty,
      secret: nonEmpty,
      mentions: section(
        {
          mobiles: { type: 'array', items: nonEmpty, maxItems: 50 },
          userIds: { type: 'array', items: chatId, maxItems: 50 },
          all: { type: 'boolean' },
        },
        [],
        false,
      ),
    },
    ['name', 'type', 'webhookUrl'],
    false,
  ),
} as const;

/** The configuration schema; validate with ajv `{ useDefaults: true, allErrors: true, coerceTypes: true }`. */
export const CONFIG_SCHEMA = {
  $id: 'https://alertgw.dev/schemas/config.json',
  ...section(
  {
    redis: section({
      url: { type: 'string', default: '' },
      // The prefix sits inside a Redis Cluster hash tag, so braces would break slotting.
      keyPrefix: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$', default: 'ag' },
      username: { type: 'string', default: '' },
      password: { type: 'string', default: '' },
      tls: section({
        enabled: { type: 'boolean', default: false },
        ca: { type: 'string', default: '' },
        cert: { type: 'string', default: '' },
        key: { type: 'string', default: '' },
        servername: { type: 'string', default: '' },
      }),
      sentinel: section({
        addresses: { type: 'array', items: hostPort, default: [] },
        masterName: { type: 'string', default: '' },
        password: { type: 'string', default: '' },
      }),
      cluster: section({ nodes: { type: 'array', items: hostPort, default: [] } }),
    }),
    queue: section({
      // A rank sits in the high bits of the queue score (rank·2^44 + arrival), so 0..255.
      severityRanks: {
        type: 'object',
        additionalProperties: { ...nonNegInt, maximum: 255 },
        default: { critical: 0, error: 1, major: 1, warning: 2, info: 3 },
      },
      unknownSeverityRank: { ...nonNegInt, maximum: 255, default: 4 },
      maxAttempts: { ...posInt, default: 10 },
      backoff: section({ baseMs: { ...posInt, default: 1_000 }, maxMs: { ...posInt, default: 300_000 } }),
      leaseMs: { type: 'integer', minimum: 1_000, default: 30_000 },
      retention: section({
        completedMs: { ...nonNegInt, default: 86_400_000 },
        deadMs: { ...nonNegInt, default: 604_800_000 },
      }),
    }),
    log: section({ level: { type: 'string', enum: ['error', 'warn', 'info', 'debug'], default: 'info' } }),
    users: {
      type: 'array',
      default: [],
      items: section(
        {
          name,
          email: str,
          phone: str,
          groups: { type: 'array', items: name, default: [] },
          chatIds: section({ wecom: chatId, dingtalk: chatId, feishu: chatId }, [], false),
        },
        ['name'],
        false,
      ),
    },
    robots,
    mandatory: stringList,
    ownerLabel: { type: 'string', default: 'owner' },
    routes: {
      type: 'array',
      default: [],
      items: section(
        {
          name,
          matchers: { type: 'array', items: nonEmpty, minItems: 1 },
          notify: { type: 'array', items: nonEmpty, minItems: 1 },
          channels: { type: 'array', items: nonEmpty },
          cc: { type: 'array', items: nonEmpty },
          escalate: {
            type: 'array',
            maxItems: 10,
            items: section(
              {
                // Fractions let tests (and impatient teams) use seconds: 0.5 = 30 s. At most a week.
                afterMinutes: { type: 'number', exclusiveMinimum: 0, maximum: 10_080 },
                notify: { type: 'array', items: nonEmpty, minItems: 1 },
                severities: { type: 'array', items: nonEmpty },
              },
              ['afterMinutes', 'notify'],
              false,
            ),
          },
        },
        ['name', 'matchers', 'notify'],
        false,
      ),
    },
    schedules: SCHEDULES_SCHEMA,
    // An IANA name; checkConfig asks Luxon whether it exists.
    schedulesTimeZone: { type: 'string', minLength: 1, maxLength: 64, default: 'UTC' },
    channels: {
      type: 'object',
      properties: {
        email: channelOptions([], ['firing', 'resolved']),
        // Resolved SMS are off by default: an SMS costs money and wakes people up.
        sms: channelOptions(['critical', 'error'], ['firing']),
        chat: channelOptions([], ['firing', 'resolved']),
      },
      additionalProperties: channelOptions([], ['firing', 'resolved']),
      default: {},
    },
    ingest: section({
      listen: section({
        // Loopback unless told otherwise: a webhook reachable from the network needs credentials.
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 9097 },
      }),
      auth: section({
        // Without credentials the webhook may only listen on loopback, unless this says otherwise.
        allowAnonymous: { type: 'boolean', default: false },
        bearerTokens: { type: 'array', items: nonEmpty, default: [] },
        basic: {
          type: 'array',
          default: [],
          items: section({ username: nonEmpty, password: nonEmpty }, ['username', 'password'], false),
        },
      }),
      bodyLimitBytes: { ...posInt, default: 1_048_576 },
      dedupWindowMs: { ...nonNegInt, default: 600_000 },
      alertRetentionMs: { ...nonNegInt, default: 604_800_000 },
      publicUrl: { type: 'string', maxLength: 200, default: '' },
      ackLinks: section({
        key: { type: 'string', default: '' },
        // 1 minute to 90 days; 7 days by default.
        lifetimeMs: { type: 'integer', minimum: 60_000, maximum: 7_776_000_000, default: 604_800_000 },
      }),
      workers: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
    }),
    email: section({
      from: { type: 'string', minLength: 1, default: 'alertgw@localhost' },
      cc: stringList,
      transport: { type: 'string', enum: ['smtp', 'http', 'sink'], default: 'sink' },
      smtp,
      http: httpGateway,
      subjectTemplate: { type: 'string', maxLength: 2000 },
      templatesDir: nonEmpty,
      attachGroupJson: { type: 'boolean', default: false },
      sinkDir: { type: 'string', minLength: 1, default: './var/mail' },
      concurrency: { ...posInt, default: 8 },
      listen: opsListen(9098),
    }),
    sms: section({
      tencent: section({
        secretId: { type: 'string', default: '' },
        secretKey: { type: 'string', default: '' },
        region: { type: 'string', minLength: 1, default: 'ap-guangzhou' },
        smsSdkAppId: { type: 'string', default: '' },
        signName: { type: 'string', default: '' },
        endpoint: nonEmpty,
        protocol: { type: 'string', enum: ['https:', 'http:'], default: 'https:' },
      }),
      templates: {
        ...section({ domestic: smsTemplate, international: smsTemplate }, ['domestic'], false),
        default: { domestic: { templateId: '', params: [] } },
      },
      budget: section({
        maxPerWindow: { ...posInt, default: 5 },
        windowMs: { ...posInt, default: 600_000 },
      }),
      concurrency: { ...posInt, default: 8 },
      listen: opsListen(9099),
    }),
    chat: section({
      // Defaults are the providers' own limits per robot: DingTalk and WeCom 20 messages a
      // minute, Feishu 100 a minute and 5 a second (see packages/notifier-chat/README.md).
      providers: section({ wecom: chatProvider(20), dingtalk: chatProvider(20), feishu: chatProvider(100, 5) }),
      // At most what the shared group view lists per section (MAX_ALERTS_PER_SECTION).
      maxAlertsPerMessage: { ...posInt, maximum: 50, default: 20 },
      templatesDir: nonEmpty,
      dryRun: { type: 'boolean', default: false },
      concurrency: { ...posInt, default: 8 },
      listen: opsListen(9100),
    }),
    auth: section({
      // No default: absent means "management API disabled" (it answers 503).
      jwt: section(
        {
          // May be empty (`${JWT_SECRET:-}`) so the example config loads; empty means "no HS256".
          hs256Secret: { type: 'string', default: '' },
          publicKey: { type: 'string', default: '' },
          algorithms: {
            type: 'array',
            items: { type: 'string', enum: ['HS256', 'RS256', 'ES256'] },
            uniqueItems: true,
            default: [],
          },
          issuer: nonEmpty,
          audience: nonEmpty,
          clockToleranceSeconds: { ...nonNegInt, maximum: 600, default: 30 },
          // A leaked token must not work forever: exp - iat may not exceed this (1 min .. 30 days).
          maxTokenAgeSeconds: { type: 'integer', minimum: 60, maximum: 2_592_000, default: 86_400 },
        },
        [],
        false,
      ),
    }),
    alertmanager: section({
      url: { type: 'string', pattern: '^(https?://[^\\s/]+.*)?$', default: '' },
      timeoutMs: { ...posInt, default: 5_000 },
      bearerToken: str,
      basic: section({ username: nonEmpty, password: str }, ['username', 'password'], false),
      watchIntervalMs: { type: 'integer', minimum: 100, default: 30_000 },
      // Alertmanager forgets its alerts on restart until Prometheus resends them (1 min by default).
      goneAfterMs: { ...nonNegInt, default: 180_000 },
    }),
  }, [], false),
} as const;
