import { buildConfig } from '../../src/config/build-config';
import { CONFIG_SCHEMA } from '../../src/config/schema';
import type { GatewayConfig } from '../../src/config/types';
import { GatewayError } from '../../src/errors';
import { DIRECTORY_NAME_PATTERN } from '../../src/handling/directory-name';

/** Every key of T, optional ones included, all the way down. */
type DeepRequired<T> = T extends Array<infer U>
  ? Array<DeepRequired<U>>
  : T extends object
    ? { [K in keyof T]-?: DeepRequired<T[K]> }
    : T;

const DEFAULTS: GatewayConfig = {
  redis: { url: '', keyPrefix: 'ag', username: '', password: '', tls: { enabled: false, ca: '', cert: '', key: '', servername: '' }, sentinel: { addresses: [], masterName: '', password: '' }, cluster: { nodes: [] } },
  queue: {
    severityRanks: { critical: 0, error: 1, major: 1, warning: 2, info: 3 },
    unknownSeverityRank: 4,
    maxAttempts: 10,
    backoff: { baseMs: 1000, maxMs: 300000 },
    leaseMs: 30000,
    retention: { completedMs: 86400000, deadMs: 604800000 },
  },
  log: { level: 'info' },
  users: [],
  robots: [],
  mandatory: [],
  ownerLabel: 'owner',
  routes: [],
  schedules: [],
  schedulesTimeZone: 'UTC',
  channels: {
    email: { enabled: true, severities: [], statuses: ['firing', 'resolved'] },
    sms: { enabled: true, severities: ['critical', 'error'], statuses: ['firing'] },
    chat: { enabled: true, severities: [], statuses: ['firing', 'resolved'] },
  },
  ingest: {
    listen: { host: '127.0.0.1', port: 9097 },
    auth: { bearerTokens: [], basic: [], allowAnonymous: false },
    bodyLimitBytes: 1048576,
    dedupWindowMs: 600000,
    alertRetentionMs: 604800000,
    publicUrl: '',
    ackLinks: { key: '', lifetimeMs: 604800000 },
    workers: 1,
  },
  email: {
    from: 'alertgw@localhost',
    cc: [],
    transport: 'sink',
    attachGroupJson: false,
    sinkDir: './var/mail',
    concurrency: 8,
    listen: { host: '0.0.0.0', port: 9098 },
  },
  sms: {
    tencent: {
      secretId: '',
      secretKey: '',
      region: 'ap-guangzhou',
      smsSdkAppId: '',
      signName: '',
      protocol: 'https:',
    },
    templates: { domestic: { templateId: '', params: [] } },
    budget: { maxPerWindow: 5, windowMs: 600000 },
    concurrency: 8,
    listen: { host: '0.0.0.0', port: 9099 },
  },
  chat: {
    providers: {
      wecom: { rateLimit: { perMinute: 20, windowMs: 60000 }, timeoutMs: 5000 },
      dingtalk: { rateLimit: { perMinute: 20, windowMs: 60000 }, timeoutMs: 5000 },
      feishu: { rateLimit: { perMinute: 100, perSecond: 5, windowMs: 60000 }, timeoutMs: 5000 },
    },
    maxAlertsPerMessage: 20,
    dryRun: false,
    concurrency: 8,
    listen: { host: '0.0.0.0', port: 9100 },
  },
  auth: {},
  alertmanager: { url: '', timeoutMs: 5000, watchIntervalMs: 30000, goneAfterMs: 180000 },
};

/** A config that sets every key types.ts has, optional ones too (the compiler checks that). */
function fullConfig(): DeepRequired<GatewayConfig> {
  return {
    redis: {
      url: 'rediss://127.0.0.1:6379/2',
      keyPrefix: 'x',
      username: 'alertgw',
      password: '',
      tls: { enabled: true, ca: '/etc/ssl/redis-ca.pem', cert: '/etc/ssl/client.pem', key: '/etc/ssl/client.key', servername: 'redis.internal' },
      sentinel: { addresses: [], masterName: '', password: '' },
      cluster: { nodes: [] },
    },
    queue: {
      severityRanks: { p1: 0, p2: 1 },
      unknownSeverityRank: 2,
      maxAttempts: 3,
      backoff: { baseMs: 10, maxMs: 20 },
      leaseMs: 5000,
      retention: { completedMs: 1, deadMs: 2 },
    },
    log: { level: 'debug' },
    users: [
      { name: 'alice', email: 'alice@example.com', phone: '+8613800000000', groups: ['ops'], chatIds: { wecom: 'alice.w', dingtalk: 'manager4711', feishu: 'ou_7d8a6e6df7621556ce0d21922b676706' } },
      { name: 'bob', email: 'bob@example.com', phone: '+14155550100', groups: ['dba'], chatIds: { wecom: 'bob.w', dingtalk: 'manager4713', feishu: 'ou_bob' } },
    ],
    // Kept as written, though the environment sets them: notifier-chat resolves them when sending.
    robots: [
      {
        name: 'ops-room',
        type: 'dingtalk',
        webhookUrl: '${CHAT_OPS_WEBHOOK}',
        secret: '${CHAT_OPS_SECRET}',
        mentions: { mobiles: ['+8613800000001'], userIds: ['manager4712'], all: false },
      },
    ],
    mandatory: ['group:ops'],
    ownerLabel: '',
    routes: [
      {
        name: 'db',
        matchers: ['team="db"'],
        notify: ['group:dba', 'alice', 'robot:ops-room'],
        channels: ['email', 'chat'],
        cc: ['dba@example.com'],
        escalate: [{ afterMinutes: 0.5, notify: ['bob', 'robot:ops-room'], severities: ['critical'] }],
      },
    ],
    schedules: [
      {
        name: 'dba',
        timeZone: 'Europe/Berlin',
        layers: [
          {
            name: 'daytime',
            members: ['alice', 'group:dba'],
            rotation: 'week',
            start: '2026-03-02',
            handoverTime: '09:30',
            handoverWeekday: 'mon',
            restrictions: [{ weekdays: ['mon', 'fri'], from: '09:00', to: '18:00' }],
          },
        ],
        overrides: [{ user: 'bob', from: '2026-03-03T09:00', to: '2026-03-03T12:00+01:00' }],
      },
    ],
    schedulesTimeZone: 'Asia/Shanghai',
    channels: {
      email: { enabled: false, severities: ['critical'], statuses: ['resolved'] },
      sms: { enabled: true, severities: [], statuses: ['firing', 'resolved'] },
      pager: { enabled: true, severities: [], statuses: ['firing'] },
      chat: { enabled: true, severities: ['critical'], statuses: ['firing'] },
    },
    ingest: {
      listen: { host: '127.0.0.1', port: 0 },
      auth: { bearerTokens: ['${TOKEN}'], basic: [{ username: 'am', password: '${AM_PASSWORD}' }], allowAnonymous: true },
      bodyLimitBytes: 10,
      dedupWindowMs: 0,
      alertRetentionMs: 0,
      publicUrl: 'https://alerts.example.com/gw',
      ackLinks: { key: '${ACK_LINK_KEY}', lifetimeMs: 3_600_000 },
      workers: 2,
    },
    email: {
      from: 'Alerts <alerts@example.com>',
      cc: ['noc@example.com'],
      transport: 'smtp',
      smtp: {
        host: 'smtp.example.com',
        port: 465,
        secure: true,
        requireTLS: true,
        tls: { ca: 'PEM', servername: 'smtp.example.com', rejectUnauthorized: false },
        auth: { user: 'alerts', pass: '${SMTP_PASSWORD}' },
        connectionTimeoutMs: 1,
        greetingTimeoutMs: 2,
        socketTimeoutMs: 3,
        pool: { maxConnections: 1, rateDeltaMs: 2, rateLimit: 3 },
        maxConnectionsTotal: 4,
      },
      http: {
        url: 'https://mail.example.com/send',
        bearerToken: '${MAIL_TOKEN}',
        basic: { username: 'u', password: '${MAIL_PASSWORD:-}' },
        timeoutMs: 4,
      },
      subjectTemplate: '<%= status %>',
      templatesDir: './templates',
      attachGroupJson: true,
      sinkDir: '/tmp/mail',
      concurrency: 1,
      listen: { host: '127.0.0.1', port: 0 },
    },
    sms: {
      tencent: {
        secretId: '${SID}',
        secretKey: '${SKEY}',
        region: 'ap-beijing',
        smsSdkAppId: '1400000000',
        signName: 'Sign',
        endpoint: '127.0.0.1:8080',
        protocol: 'http:',
      },
      templates: {
        domestic: { templateId: '1', params: [{ expr: '<%= alertname %>', maxLength: 20 }] },
        international: { templateId: '2', params: [{ expr: '<%= status %>', maxLength: 8 }] },
      },
      budget: { maxPerWindow: 1, windowMs: 1000 },
      concurrency: 2,
      listen: { host: '127.0.0.1', port: 19099 },
    },
    chat: {
      providers: {
        wecom: { rateLimit: { perMinute: 1, perSecond: 1, windowMs: 1000 }, timeoutMs: 1 },
        dingtalk: { rateLimit: { perMinute: 2, perSecond: 2, windowMs: 2000 }, timeoutMs: 2 },
        feishu: { rateLimit: { perMinute: 3, perSecond: 3, windowMs: 3000 }, timeoutMs: 3 },
      },
      maxAlertsPerMessage: 5,
      templatesDir: '/etc/alertgw/chat',
      dryRun: true,
      concurrency: 2,
      listen: { host: '127.0.0.1', port: 19100 },
    },
    auth: {
      jwt: {
        hs256Secret: '${JWT_SECRET}',
        publicKey: '',
        algorithms: ['HS256'],
        issuer: 'https://sso.example.com',
        audience: 'alertgw',
        clockToleranceSeconds: 5,
        maxTokenAgeSeconds: 3600,
      },
    },
    alertmanager: {
      url: 'http://alertmanager:9093',
      timeoutMs: 1000,
      bearerToken: '${AM_TOKEN}',
      basic: { username: 'admin', password: '${AM_API_PASSWORD:-}' },
      watchIntervalMs: 1000,
      goneAfterMs: 0,
    },
  };
}

const FULL_ENV = {
  TOKEN: 'tok-secret-1',
  AM_PASSWORD: 'am-secret-2',
  SMTP_PASSWORD: 'smtp-secret-3',
  MAIL_TOKEN: 'mail-secret-4',
  SID: 'AKIDsecret5',
  SKEY: 'skey-secret-6',
  JWT_SECRET: 'jwt-secret-7-0123456789abcdef0123456789',
  ACK_LINK_KEY: 'ack-link-secret-9-0123456789abcdef012345',
  AM_TOKEN: 'am-token-8',
  CHAT_OPS_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=chat-secret-9',
  CHAT_OPS_SECRET: 'SECchat-secret-10',
};

/** Runs buildConfig expecting CONFIG_INVALID; returns the problems as "path: message" lines. */
function problemLines(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    buildConfig(raw, env);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    const [head, ...lines] = (err as GatewayError).message.split('\n');
    expect(head).toBe(`invalid configuration (${lines.length} problem${lines.length === 1 ? '' : 's'}):`);
    expect((err as GatewayError).details?.problems).toHaveLength(lines.length);
    return lines.map((l) => l.replace(/^ {2}/, ''));
  }
  throw new Error('expected CONFIG_INVALID');
}

/** Every key path the schema declares, objects and leaves: "email.smtp.tls.ca", "users[].phone". */
function schemaPaths(schema: any, prefix = ''): string[] {
  const out: string[] = [];
  if (schema.type === 'array' && schema.items) return schemaPaths(schema.items, `${prefix}[]`);
  for (const [key, sub] of Object.entries<any>(schema.properties ?? {})) {
    const p = prefix ? `${prefix}.${key}` : key;
    out.push(p, ...schemaPaths(sub, p));
  }
  return out;
}

function valuePaths(value: any, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => valuePaths(v, `${prefix}[]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...valuePaths(v, p)];
  });
}

describe('buildConfig', () => {
  test('an empty config gets every default', () => {
    expect(buildConfig({}, {})).toEqual(DEFAULTS);
    expect(buildConfig(undefined, {})).toEqual(DEFAULTS);
    expect(buildConfig(null, {})).toEqual(DEFAULTS);
  });

  test('defaults fill the gaps of partly written sections', () => {
    const cfg = buildConfig(
      {
        queue: { maxAttempts: 3, backoff: { maxMs: 9000 } },
        channels: { sms: { enabled: false }, pager: {} },
        email: { transport: 'smtp', smtp: { host: 'smtp.example.com' } },
        sms: { templates: { domestic: { templateId: '7' } } },
      },
      {},
    );
    expect(cfg.queue).toEqual({ ...DEFAULTS.queue, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 9000 } });
    expect(cfg.channels).toEqual({
      email: DEFAULTS.channels.email,
      sms: { enabled: false, severities: ['critical', 'error'], statuses: ['firing'] },
      pager: { enabled: true, severities: [], statuses: ['firing', 'resolved'] },
      chat: DEFAULTS.channels.chat,
    });
    expect(cfg.email.smtp).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTLS: false,
      tls: { rejectUnauthorized: true },
      connectionTimeoutMs: 10000,
      greetingTimeoutMs: 10000,
      socketTimeoutMs: 30000,
      pool: { maxConnections: 5, rateDeltaMs: 1000, rateLimit: 0 },
    });
    expect(cfg.sms.templates).toEqual({ domestic: { templateId: '7', params: [] } });
  });

  test('keys left empty in YAML (null) mean the default', () => {
    expect(buildConfig({ routes: null, users: null, email: { cc: null }, queue: null }, {})).toEqual(DEFAULTS);
  });

  test('does not change the input tree', () => {
    const raw = () => ({ queue: { maxAttempts: '3', x: null }, ingest: { auth: { bearerTokens: ['literal'] } } });
    const input = raw();
    expect(() => buildConfig(input, {})).toThrow(GatewayError);
    expect(input).toEqual(raw());
  });

  test('substituted strings and YAML numbers become the types the schema says', () => {
    const cfg = buildConfig(
      {
        ingest: { listen: { port: '${PORT:-9000}' } },
        email: { attachGroupJson: '${ATTACH}' },
        sms: { tencent: { smsSdkAppId: 1400000000 }, templates: { domestic: { templateId: 123456 } } },
      },
      { ATTACH: 'true' },
    );
    expect(cfg.ingest.listen.port).toBe(9000);
    expect(cfg.email.attachGroupJson).toBe(true);
    expect(cfg.sms.tencent.smsSdkAppId).toBe('1400000000');
    expect(cfg.sms.templates.domestic.templateId).toBe('123456');
  });

  test('a config with every key of types.ts round-trips, secrets from the environment', () => {
    // fullConfig sets both kinds of mail-gateway auth to cover every key; a real one picks one.
    const input = fullConfig();
    delete (input.email.http as Partial<typeof input.email.http>).basic;
    delete (input.alertmanager as Partial<typeof input.alertmanager>).basic;
    const expected = JSON.parse(JSON.stringify(input));
    expected.auth.jwt.hs256Secret = FULL_ENV.JWT_SECRET;
    expected.ingest.ackLinks.key = FULL_ENV.ACK_LINK_KEY;
    expected.alertmanager.bearerToken = 'am-token-8';
    expected.ingest.auth = { bearerTokens: ['tok-secret-1'], basic: [{ username: 'am', password: 'am-secret-2' }], allowAnonymous: true };
    expected.email.smtp.auth.pass = 'smtp-secret-3';
    expected.email.http.bearerToken = 'mail-secret-4';
    expected.sms.tencent.secretId = 'AKIDsecret5';
    expected.sms.tencent.secretKey = 'skey-secret-6';
    expect(buildConfig(input, FULL_ENV)).toEqual(expected);
  });

  test('mail-gateway basic auth alone is fine; with a token too it is a problem', () => {
    const input = fullConfig();
    delete (input.alertmanager as Partial<typeof input.alertmanager>).basic;
    input.email.transport = 'http';
    expect(problemLines(input, { ...FULL_ENV, MAIL_PASSWORD: 'pw' })).toEqual(['email.http: set bearerToken or basic, not both']);
    delete (input.email.http as Partial<typeof input.email.http>).bearerToken;
    expect(buildConfig(input, { ...FULL_ENV, MAIL_PASSWORD: 'pw' }).email.http?.basic).toEqual({ username: 'u', password: 'pw' });
    expect(problemLines(input, FULL_ENV)).toEqual([
      'email.http.basic.password: is empty: set the environment variable it references (or its *_FILE)',
    ]);
  });

  test('the schema declares exactly the keys of types.ts', () => {
    const fromTypes = new Set(valuePaths(fullConfig()).map((p) => p.replace(/^channels\.(email|sms|chat|pager)/, 'channels.*')));
    const fromSchema = new Set(
      schemaPaths(CONFIG_SCHEMA)
        .filter((p) => !/^queue\.severityRanks\./.test(p))
        .map((p) => p.replace(/^channels\.(email|sms|chat)/, 'channels.*')),
    );
    for (const p of fromTypes) if (!/^queue\.severityRanks\./.test(p)) expect(fromSchema).toContain(p);
    for (const p of fromSchema) expect(fromTypes).toContain(p);
  });

  test('every problem is listed at once, each with its path', () => {
    const lines = problemLines({
      queue: { maxAtempts: 3, leaseMs: 'soon', backoff: { baseMs: 10_000, maxMs: 1_000 } },
      log: { level: 'verbose' },
      redis: { keyPrefix: 'a}b' },
      users: [
        { name: 'alice', email: 'alice(at)example.com', phone: 8613912345678, groups: ['ops'] },
        { name: 'group:x' },
        { name: 'carol', phone: '13912345678' },
        { email: 'nobody@example.com' },
      ],
      mandatory: ['group:nobody'],
      routes: [{ name: 'r', matchers: ['team=~"("'], notify: ['zed'], channels: ['pager'], cc: ['not-an-email'] }],
      channels: { email: { statuses: ['pending'] } },
      email: { from: 'nobody', transport: 'smtp', cc: ['x@'] },
      sms: { tencent: { secretId: '${SID}', endpoint: 'https://sms.example.com' } },
    }, { SID: 'AKIDonly-id' });
    expect(lines).toEqual(
      expect.arrayContaining([
        'queue.maxAtempts: is not a known key (typo?)',
        'queue.leaseMs: must be integer',
        'log.level: must be one of: "error", "warn", "info", "debug"',
        'redis.keyPrefix: must match pattern "^[A-Za-z0-9_.-]+$"',
        'users[3].name: is required',
        'channels.email.statuses[0]: must be one of: "firing", "resolved"',
        'users[0].email: must be an email address like alice@example.com',
        'users[0].phone: must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)',
        // A name cannot hold ":" at all, so "group:x" fails the name pattern.
        `users[1].name: must match pattern "${DIRECTORY_NAME_PATTERN}"`,
        'users[2].phone: must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)',
        'routes[0].channels[0]: unknown channel (known: email, sms, chat)',
        'routes[0].cc[0]: must be an email address like alice@example.com',
        'email.from: must be an address like alerts@example.com or "Alert Gateway <alerts@example.com>"',
        'email.cc[0]: must be an email address like alice@example.com',
        'email.smtp: is required when email.transport is "smtp"',
        'sms.tencent: set both secretId and secretKey (real sending) or neither (dry run)',
        'sms.tencent.endpoint: must be host[:port] like 127.0.0.1:8080, without scheme or path (see sms.tencent.protocol)',
        'queue.backoff.baseMs: must not exceed queue.backoff.maxMs',
      ]),
    );
    // checkRoutes owns the wording of these; the loader only has to list them with paths.
    for (const path of ['mandatory[0]', 'routes[0].matchers[0]', 'routes[0].notify[0]']) {
      expect(lines.some((l) => l.startsWith(`${path}: `))).toBe(true);
    }
    expect(lines).toHaveLength(21);
    expect(lines.join('\n')).not.toContain('13912345678');
    expect(lines.join('\n')).not.toContain('AKIDonly-id');
  });

  test('problems are listed sorted by path, numbers in order', () => {
    const users = Array.from({ length: 12 }, (_, i) => ({ name: `u${i}`, phone: i % 5 === 0 ? 'bad' : '+8613800000000' }));
    expect(problemLines({ users, log: { level: 'x' } }).map((l) => l.split(':')[0])).toEqual([
      'log.level',
      'users[0].phone',
      'users[5].phone',
      'users[10].phone',
    ]);
  });

  test('duplicate user names are reported (by checkRoutes) with their path', () => {
    const lines = problemLines({ users: [{ name: 'a' }, { name: 'b' }, { name: 'a' }] });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^users\[2\]\.name: .*duplicate/);
  });

  const cases: Array<[string, unknown, NodeJS.ProcessEnv, string[]]> = [
    ['root is not a map', ['a'], {}, ['(root): must be object']],
    ['wrong section type', { users: { alice: {} } }, {}, ['users: must be array']],
    ['route without matchers or targets', { routes: [{ name: 'r', matchers: [], notify: [] }] }, {}, [
      'routes[0].matchers: must NOT have fewer than 1 items',
      'routes[0].notify: must NOT have fewer than 1 items',
    ]],
    ['empty ingest token from an unset-with-default variable', { ingest: { auth: { bearerTokens: ['${T:-}'] } } }, {}, [
      'ingest.auth.bearerTokens[0]: must NOT have fewer than 1 characters',
    ]],
    ['unset variable is reported once, not again by the schema', { ingest: { auth: { bearerTokens: ['${T}'] } } }, {}, [
      'ingest.auth.bearerTokens[0]: ${T} is not set (set T or T_FILE, or write ${T:-default})',
    ]],
    ['port out of range from the environment', { ingest: { listen: { port: '${PORT}' } } }, { PORT: '70000' }, [
      'ingest.listen.port: must be <= 65535',
    ]],
    ['smtp transport with an empty password', {
      email: { transport: 'smtp', smtp: { host: 'h', auth: { user: 'u', pass: '${P:-}' } } },
    }, {}, ['email.smtp.auth.pass: is empty: set the environment variable it references (or its *_FILE)']],
    ['http transport with an empty token', {
      email: { transport: 'http', http: { url: 'https://m.example.com', bearerToken: '${T:-}' } },
    }, {}, ['email.http.bearerToken: is empty: set the environment variable it references (or its *_FILE)']],
    ['http transport without a url scheme', { email: { transport: 'http', http: { url: 'mail.example.com/send' } } }, {}, [
      'email.http.url: must be an absolute URI',
      'email.http.url: must match pattern "^https?://"',
    ]],
    ['unused transports may hold empty secrets', {
      email: { transport: 'sink', smtp: { host: 'h', auth: { user: 'u', pass: '${P:-}' } } },
    }, {}, []],
    ['real SMS sending needs app id, sign and templates', {
      sms: { tencent: { secretId: '${ID}', secretKey: '${KEY}' }, templates: { domestic: { templateId: '1' }, international: { templateId: '' } } },
    }, { ID: 'i', KEY: 'k' }, [
      'sms.tencent.smsSdkAppId: is required to send SMS (secrets are set)',
      'sms.tencent.signName: is required to send SMS to +86 numbers (secrets are set)',
      'sms.templates.international.templateId: is required to send SMS (secrets are set)',
    ]],
    ['a disabled SMS channel needs none of them', {
      channels: { sms: { enabled: false } },
      sms: { tencent: { secretId: '${ID}', secretKey: '${KEY}' } },
    }, { ID: 'i', KEY: 'k' }, []],
    ['too many SMS params', { sms: { templates: { domestic: { templateId: '1', params: Array(21).fill({ expr: 'x' }) } } } }, {}, [
      'sms.templates.domestic.params: must NOT have more than 20 items',
    ]],
    ['unknown channel option', { channels: { pager: { enabeld: true } } }, {}, ['channels.pager.enabeld: is not a known key (typo?)']],
    ['severity ranks fit the queue score (0..255)', { queue: { severityRanks: { critical: 256 }, unknownSeverityRank: 300 } }, {}, [
      'queue.severityRanks.critical: must be <= 255',
      'queue.unknownSeverityRank: must be <= 255',
    ]],
    ['odd keys are quoted in paths', { queue: { severityRanks: { 'p.1': -1 } } }, {}, ['queue.severityRanks["p.1"]: must be >= 0']],
  ];
  test.each(cases)('%s', (_name, raw, env, expected) => {
    if (expected.length === 0) {
      expect(() => buildConfig(raw, env)).not.toThrow();
      return;
    }
    expect(problemLines(raw, env).sort()).toEqual([...expected].sort());
  });

  test('no secret value ever appears in an error, whatever is wrong around it', () => {
    const env = { ...FULL_ENV, LEVEL: 'also-secret-7', PHONE: '+8613912345678' };
    const raw: any = fullConfig();
    raw.log.level = '${LEVEL}';
    raw.users[0].phone = '${PHONE}x';
    raw.ingest.listen.port = '${TOKEN}';
    raw.email.smtp.port = '${SMTP_PASSWORD}';
    raw.email.http.url = '${MAIL_TOKEN}';
    raw.email.from = '${SKEY}';
    raw.redis.keyPrefix = '${SID}';
    let text = '';
    try {
      buildConfig(raw, env);
    } catch (err) {
      text = `${(err as Error).message}\n${JSON.stringify((err as GatewayError).details)}`;
    }
    expect(text).toContain('invalid configuration');
    for (const secret of Object.values(env)) expect(text).not.toContain(secret);
    expect(text).not.toContain('13912345678');
  });
});
