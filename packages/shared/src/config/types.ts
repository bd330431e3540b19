/**
 * The validated configuration, as every service sees it after loading (defaults applied,
 * `${ENV}` and `*_FILE` secrets substituted). The YAML keys are exactly these names.
 */

/** Directory entry for one person. */
export interface UserConfig {
  name: string;
  email?: string;
  /** E.164, e.g. "+8613800000000". */
  phone?: string;
  groups: string[];
  /** Chat user ids, so a chat robot's message can @-mention this person (else by phone). */
  chatIds?: ChatIds;
}

/** A person's user id per chat provider (WeCom userid, DingTalk userId, Feishu open_id). */
export interface ChatIds {
  wecom?: string;
  dingtalk?: string;
  feishu?: string;
}

/** The chat services a group robot can post to. */
export type RobotType = 'wecom' | 'dingtalk' | 'feishu';

/**
 * Directory entry for one chat group robot (notified like a user: `robot:<name>`). Its webhook
 * URL and signing secret are references, never literal secrets: `${VAR}` names an environment
 * variable of the notifier-chat process (or, when VAR is unset, the file named by `VAR_FILE`),
 * resolved when a message is sent, so the live directory (Redis, API, alertctl) never holds them.
 */
export interface RobotConfig {
  name: string;
  type: RobotType;
  /** `${VAR}` reference to the robot's full webhook URL (it carries the access token). */
  webhookUrl: string;
  /** `${VAR}` reference to the signing secret (DingTalk "加签", Feishu signature check); absent: unsigned. */
  secret?: string;
  /** Always mentioned: phone numbers (E.164) and/or provider user ids; `all` mentions everyone. */
  mentions?: { mobiles?: string[]; userIds?: string[]; all?: boolean };
}

/** Who to notify: user names, "group:<name>", "schedule:<name>" or "robot:<name>" (chat). */
export type NotifyTarget = string;

/** Day names as schedules write them (lower case, Monday first as ISO 8601 counts). */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/**
 * An on-call schedule (`schedule:<name>` as a notify target): who is on is decided at the moment
 * a notification is sent. Layers are listed lowest first; at a given time the LAST layer with
 * somebody on wins (PagerDuty's and Grafana OnCall's convention), and an override beats every
 * layer. See schedule/on-call-at.ts.
 */
export interface ScheduleConfig {
  name: string;
  /** IANA time zone the handovers and restrictions are in; default `schedulesTimeZone`. */
  timeZone?: string;
  layers: ScheduleLayerConfig[];
  /** "This user from–to, instead of whoever is on"; a later entry beats an earlier one. */
  overrides?: ScheduleOverrideConfig[];
}

/** One rotation: members take turns, each for one rotation length. */
export interface ScheduleLayerConfig {
  /** Shown in `route test` and `alertctl oncall`; default "layer <n>" (1-based). */
  name?: string;
  /** Users or "group:<name>" (the whole group is on together), in rotation order. */
  members: NotifyTarget[];
  /** Length of one shift: "day", "week" or "<N>h" (wall-clock hours, e.g. "12h"). */
  rotation: string;
  /** Local date (YYYY-MM-DD) on which the first member's first shift starts. */
  start: string;
  /** Local time of the handover, "HH:MM" (default "00:00"). */
  handoverTime?: string;
  /** Weekly rotations: the weekday of the handover (default: the weekday of `start`). */
  handoverWeekday?: Weekday;
  /** When set, the layer covers only these windows; outside them the layer below takes over. */
  restrictions?: ScheduleRestrictionConfig[];
}

/** A window a layer covers, in the schedule's zone; "to" at or before "from" runs past midnight. */
export interface ScheduleRestrictionConfig {
  /** Days the window starts on; every day when absent. */
  weekdays?: Weekday[];
  /** "HH:MM". */
  from: string;
  /** "HH:MM"; "24:00" is the end of the day. */
  to: string;
}

/** One user on call instead of whoever the layers name, from–to. */
export interface ScheduleOverrideConfig {
  user: string;
  /** ISO 8601 time; without an offset it is read in the schedule's zone. */
  from: string;
  to: string;
}

/** A label-matching rule that picks owners. */
export interface RouteConfig {
  name: string;
  /** Alertmanager matcher syntax, all must match: ['team="db"', 'severity=~"critical|error"']. */
  matchers: string[];
  notify: NotifyTarget[];
  /** Channels this route adds recipients to; all channels when absent. */
  channels?: string[];
  /** Extra email Cc for deliveries this route matched. */
  cc?: string[];
  /** Tiers notified by SMS when a firing alert this route matches is not acked in time. */
  escalate?: EscalationTierConfig[];
}

/** One escalation tier: who gets an SMS if a firing alert is still not acked after a while. */
export interface EscalationTierConfig {
  /** Minutes after ingest first saw the alert firing; fractions allowed (0.5 = 30 s). */
  afterMinutes: number;
  /** User names or "group:<name>"; only users with a phone can be reached. */
  notify: NotifyTarget[];
  /** Severity label values this tier applies to; every severity when absent. */
  severities?: string[];
}

/** Which alerts a channel carries. */
export interface ChannelOptions {
  enabled: boolean;
  /** Severities carried; empty = all. */
  severities: string[];
  /** Statuses carried: firing and/or resolved. */
  statuses: Array<'firing' | 'resolved'>;
}

export interface RedisConfig {
  /**
   * One server: redis://… or rediss://… (TLS); empty means "find one" (REDIS_URL,
   * 127.0.0.1:6379, private redis-server). Must stay empty with sentinel or cluster.
   */
  url: string;
  /** The hash tag of every queue and alert key: {<keyPrefix>}:email:pending. */
  keyPrefix: string;
  /** ACL user; "" = the URL's, else "default". */
  username: string;
  /** Secret (`${REDIS_PASSWORD}`); "" = the URL's, else none. */
  password: string;
  /** TLS to the data nodes: on with a rediss:// url or `enabled`; files are PEM paths. */
  tls: RedisTlsConfig;
  /** Sentinel: set `addresses` and `masterName`; the services follow failovers by themselves. */
  sentinel: RedisSentinelConfig;
  /** Cluster: seed nodes, "host:port" each; every key of a deployment sits in one slot. */
  cluster: { nodes: string[] };
}

/** TLS client settings for Redis. */
export interface RedisTlsConfig {
  enabled: boolean;
  /** CA bundle that signed the server certificate; "" = the system's CAs. */
  ca: string;
  /** Client certificate and key, when Redis asks for one (tls-auth-clients). */
  cert: string;
  key: string;
  /** Name the server certificate must carry, when it differs from the host connected to. */
  servername: string;
}

/** Where the sentinels are and which primary they watch. */
export interface RedisSentinelConfig {
  /** "host:port" of each sentinel; empty = no Sentinel. */
  addresses: string[];
  masterName: string;
  /** Secret (`${REDIS_SENTINEL_PASSWORD}`) of the sentinels' requirepass; "" = none. */
  password: string;
}

export interface QueueConfig {
  /** severity label value → rank, lower is more urgent. */
  severityRanks: Record<string, number>;
  unknownSeverityRank: number;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
  leaseMs: number;
  retention: { completedMs: number; deadMs: number };
}

/** An HTTP listen address. */
export interface ListenConfig {
  host: string;
  port: number;
}

export interface IngestConfig {
  listen: ListenConfig;
  auth: {
    bearerTokens: string[];
    basic: Array<{ username: string; password: string }>;
    /** Accept webhooks without credentials on a non-loopback listener (default false: refuse to start). */
    allowAnonymous: boolean;
  };
  /** Body size limit, bytes. */
  bodyLimitBytes: number;
  dedupWindowMs: number;
  /** How long a resolved alert's record is kept. */
  alertRetentionMs: number;
  /** Base URL people reach ingest at (https://alerts.example.com); "" = no ack links in notifications. */
  publicUrl: string;
  /** Signed ack links in notifications (on when publicUrl is set). */
  ackLinks: AckLinksConfig;
  /** Processes serving the webhook on the one port (node:cluster); 1 = this process alone. */
  workers: number;
}

/** How ack links are signed and how long they work. */
export interface AckLinksConfig {
  /** HMAC-SHA256 key, at least 32 characters (`${ACK_LINK_KEY}`); required with publicUrl. */
  key: string;
  /** How long a link works after the notification was sent. */
  lifetimeMs: number;
}

export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (port 465). */
  secure: boolean;
  /** Refuse to send without STARTTLS. */
  requireTLS: boolean;
  tls: { ca?: string; servername?: string; rejectUnauthorized: boolean };
  auth?: { user: string; pass: string };
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  pool: { maxConnections: number; rateDeltaMs: number; rateLimit: number };
  /**
   * Connections every replica together may hold open to this server (a relay's per-client
   * limit), shared through Redis; each replica's pool is its share. Absent: pool.maxConnections each.
   */
  maxConnectionsTotal?: number;
}

export interface HttpMailGatewayConfig {
  url: string;
  bearerToken?: string;
  basic?: { username: string; password: string };
  timeoutMs: number;
}

export interface EmailConfig {
  from: string;
  cc: string[];
  transport: 'smtp' | 'http' | 'sink';
  smtp?: SmtpConfig;
  http?: HttpMailGatewayConfig;
  /** ejs subject template; default "[FIRING:3] HighCPU (cluster=prod-bj)". */
  subjectTemplate?: string;
  /** Directory whose html.ejs / text.ejs / subject.ejs override the defaults. */
  templatesDir?: string;
  attachGroupJson: boolean;
  /** Where the local sink keeps mails (transport "sink"). */
  sinkDir: string;
  concurrency: number;
  /** /healthz, /readyz and /metrics of this notifier; port 0 = off. */
  listen: ListenConfig;
}

/** One template parameter: a short ejs expression over the group, cut to maxLength characters. */
export interface SmsParamConfig {
  expr: string;
  maxLength: number;
}

export interface SmsTemplateConfig {
  templateId: string;
  params: SmsParamConfig[];
}

export interface SmsConfig {
  /** Dry-run when secretId/secretKey are empty. */
  tencent: {
    secretId: string;
    secretKey: string;
    region: string;
    smsSdkAppId: string;
    signName: string;
    /** Override for tests and private gateways, e.g. "127.0.0.1:8080". */
    endpoint?: string;
    protocol: 'https:' | 'http:';
  };
  templates: {
    /** +86 numbers. */
    domestic: SmsTemplateConfig;
    /** Every other country; international templates carry no SignName. */
    international?: SmsTemplateConfig;
  };
  /** Storm control: at most maxPerWindow SMS per phone per windowMs; the rest are merged. */
  budget: { maxPerWindow: number; windowMs: number };
  concurrency: number;
  /** /healthz, /readyz and /metrics of this notifier; port 0 = off. */
  listen: ListenConfig;
}

/** A chat provider's send budget per robot: at most `perMinute` messages in any `windowMs` (a minute unless tests scale it down), and for Feishu `perSecond` too. */
export interface ChatRateLimit {
  perMinute: number;
  /** Per second (Feishu's second limit); absent: none. */
  perSecond?: number;
  /** Length of the "minute" window, ms. */
  windowMs: number;
}

/** How notifier-chat talks to one provider. */
export interface ChatProviderConfig {
  rateLimit: ChatRateLimit;
  /** Per request, ms. */
  timeoutMs: number;
}

export interface ChatConfig {
  /** Per provider (robot type): send budget per robot and request timeout. */
  providers: Record<RobotType, ChatProviderConfig>;
  /** Alerts listed per message before "…and N more alerts (see mail)"; the provider's size cap may list fewer. */
  maxAlertsPerMessage: number;
  /** Directory whose wecom.ejs / dingtalk.ejs / feishu.ejs override the built-in templates. */
  templatesDir?: string;
  /** Build and record messages without posting them (also the case while no robot is configured anywhere). */
  dryRun: boolean;
  concurrency: number;
  /** /healthz, /readyz and /metrics of this notifier; port 0 = off. */
  listen: ListenConfig;
}

/** JWT signature algorithms the management API accepts. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** How the management API (/api/v1/...) checks its bearer JWTs. */
export interface JwtConfig {
  /** HS256 shared secret, at least 32 characters; environment only. "" = no HS256. */
  hs256Secret: string;
  /** PEM public key (SPKI, "-----BEGIN PUBLIC KEY-----") for RS256 or ES256 tokens. "" = none. */
  publicKey: string;
  /** Accepted algorithms; empty = derived from the keys set (HS256 for the secret, RS256/ES256 from the key type). */
  algorithms: JwtAlgorithm[];
  /** Required `iss` claim, when set. */
  issuer?: string;
  /** Required `aud` claim, when set; required with publicKey (an SSO issues tokens for other apps too). */
  audience?: string;
  /** Allowed clock skew for exp/nbf/iat, seconds. */
  clockToleranceSeconds: number;
  /** Longest token lifetime accepted (exp - iat), seconds; tokens must carry both claims. */
  maxTokenAgeSeconds: number;
}

/** Authentication of the management API; the webhook has its own (ingest.auth). */
export interface AuthConfig {
  /** Absent, or neither key set: the management API answers 503. */
  jwt?: JwtConfig;
}

/** The Alertmanager whose API v2 gets the silences of acks with `silence`. */
export interface AlertmanagerConfig {
  /** Base URL, e.g. http://alertmanager:9093; "" = acks cannot create silences. */
  url: string;
  timeoutMs: number;
  bearerToken?: string;
  basic?: { username: string; password: string };
  /** How often acked alerts with a silence are looked up in Alertmanager (it sends no resolved notification for silenced alerts). */
  watchIntervalMs: number;
  /** How long such an alert must be missing from Alertmanager before its ack ends and its silence is expired. */
  goneAfterMs: number;
}

export interface LogConfig {
  level: 'error' | 'warn' | 'info' | 'debug';
}

/** The whole configuration file. */
export interface GatewayConfig {
  redis: RedisConfig;
  queue: QueueConfig;
  log: LogConfig;
  users: UserConfig[];
  /** Chat group robots, notified as `robot:<name>` on the chat channel only. */
  robots: RobotConfig[];
  /** Always notified, on every channel: user names or "group:<name>". */
  mandatory: NotifyTarget[];
  /** Label whose value names a user directly (e.g. "owner"); empty disables it. */
  ownerLabel: string;
  routes: RouteConfig[];
  /** On-call schedules (`schedule:<name>` targets). */
  schedules: ScheduleConfig[];
  /** IANA zone of schedules that name none (e.g. "Asia/Shanghai"). */
  schedulesTimeZone: string;
  channels: Record<string, ChannelOptions>;
  ingest: IngestConfig;
  email: EmailConfig;
  sms: SmsConfig;
  chat: ChatConfig;
  auth: AuthConfig;
  alertmanager: AlertmanagerConfig;
}
