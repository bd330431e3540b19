import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { SignJWT } from 'jose';
import { buildConfig, createLogger, createResolver, TaskQueue, type GatewayConfig, type NotificationPayload } from '@alertgw/shared';
import { deleteKeys, testRedisUrl, uniquePrefix } from '@alertgw/testkit';
import type { Registry } from 'prom-client';
import { createApp } from '../../src/app';
import { createHandlingRuntime, type HandlingRuntime, type HandlingRuntimeOptions } from '../../src/handling-runtime';
import type { Role } from '../../src/jwt-auth';
import { ingestRedisOptions } from '../../src/redis-options';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';

/** Secrets the test config takes from the environment, as a real deployment would. */
export const TEST_ENV = {
  INGEST_TOKEN: 'test-token-123',
  INGEST_BASIC_PASSWORD: 'secret',
  JWT_SECRET: 'test-jwt-secret-not-for-production-0123456789',
  ACK_LINK_KEY: 'test-ack-link-key-not-for-production-0123456789',
};

/** Signs a management API token with the test secret (HS256), valid for ttlSeconds (negative: already expired). */
export function signToken(role: Role | string, opts: { sub?: string; ttlSeconds?: number; secret?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(opts.sub ?? 'tester')
    .setIssuedAt(now)
    .setExpirationTime(now + (opts.ttlSeconds ?? 300))
    .sign(new TextEncoder().encode(opts.secret ?? TEST_ENV.JWT_SECRET));
}

/** `Authorization: Bearer <token>` for a role (viewer by default). */
export async function bearer(role: Role = 'viewer', sub = 'tester'): Promise<Record<string, string>> {
  return { Authorization: `Bearer ${await signToken(role, { sub })}` };
}

/** The routing config every ingest test starts from (fixture auth: bearer test-token-123, basic am:secret). */
export function baseConfig(prefix: string): Record<string, unknown> {
  return {
    redis: { keyPrefix: prefix },
    log: { level: 'warn' },
    users: [
      { name: 'oncall-a', email: 'oncall-a@example.com', phone: '+8613800000001', groups: ['oncall'] },
      { name: 'zhangsan', email: 'zhangsan@example.com', phone: '+8613800000002', groups: ['dba'] },
      { name: 'lisi', email: 'lisi@example.com', groups: ['dba'] },
    ],
    mandatory: ['group:oncall'],
    ownerLabel: 'owner',
    routes: [{ name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], cc: ['dba-list@example.com'] }],
    email: { cc: ['audit@example.com'] },
    ingest: {
      auth: {
        bearerTokens: ['${INGEST_TOKEN}'],
        basic: [{ username: 'am', password: '${INGEST_BASIC_PASSWORD}' }],
      },
    },
    auth: { jwt: { hs256Secret: '${JWT_SECRET}' } },
  };
}

/** A running ingest app on a free port, with its own key prefix and Redis connection. */
export interface Ingest {
  url: string;
  prefix: string;
  config: GatewayConfig;
  redis: Redis;
  queues: Map<string, TaskQueue<NotificationPayload>>;
  registry: Registry;
  /** Alert handling, when started with `handling`. */
  handling?: HandlingRuntime;
  /** Every log line written so far, parsed. */
  logs(): Array<Record<string, unknown>>;
  /** Every key this instance wrote. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts ingest on 127.0.0.1:<free port>; `patch` edits the config tree before it is built. */
export async function startIngest(
  opts: {
    redisUrl?: string;
    patch?: (raw: Record<string, unknown>) => void;
    waitReady?: boolean;
    /** Key prefix to share with another instance (a second replica); a fresh one by default. */
    prefix?: string;
    /** Start alert handling (live directory, acks, handling Worker) with these options. */
    handling?: boolean | Partial<Pick<HandlingRuntimeOptions, 'pollMs' | 'escalationIdleMs' | 'loops'>>;
  } = {},
): Promise<Ingest> {
  const prefix = opts.prefix ?? uniquePrefix('ingest');
  const raw = baseConfig(prefix);
  opts.patch?.(raw);
  const config = buildConfig(raw, TEST_ENV);
  const redis = new Redis(opts.redisUrl ?? testRedisUrl(), ingestRedisOptions());
  redis.on('error', () => {});
  if (opts.waitReady !== false) await once(redis, 'ready');

  const channels = Object.entries(config.channels)
    .filter(([, o]) => o.enabled)
    .map(([n]) => n);
  const queues = new Map(channels.map((name) => [name, new TaskQueue<NotificationPayload>({ redis, prefix, name })]));
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const logger = createLogger({ service: 'ingest-test', level: 'info', stream });
  let handling: HandlingRuntime | undefined;
  if (opts.handling) {
    const subscriber = new Redis(opts.redisUrl ?? testRedisUrl(), { maxRetriesPerRequest: null });
    subscriber.on('error', () => {});
    handling = createHandlingRuntime({ config, redis, subscriber, queues, logger, ...(opts.handling === true ? {} : opts.handling) });
    await handling.start();
  }
  const resolver = handling?.resolver ?? createResolver(config, channels);
  const { serve, registry } = createApp({ config, redis, queues, resolver, logger, handling });

  // As main.ts serves it: deliveries before express, the rest through it.
  const server = http.createServer(serve).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const scanner = new Redis(opts.redisUrl ?? testRedisUrl(), { maxRetriesPerRequest: 1, lazyConnect: true });
  scanner.on('error', () => {});

  return {
    url: `http://127.0.0.1:${port}`,
    prefix,
    config,
    redis,
    queues,
    registry,
    handling,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    keys: async () => [...(await scanner.keys(`${prefix}*`)), ...(await scanner.keys(`{${prefix}*`))],
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await handling?.close();
      await deleteKeys(scanner, prefix).catch(() => {});
      scanner.disconnect();
      redis.disconnect();
    },
  };
}

/** One HTTP answer, body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Sends exactly these headers and bytes (node:http, not fetch: fetch rewrites Host and
 * Content-Length). `agent` lets a test act as separate clients.
 */
export function request(
  base: string,
  method: string,
  pathname: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
  agent?: http.Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        // A HEAD answer has a JSON content type and no body; a throw here would leave the promise hanging.
        if (text !== '' && String(res.headers['content-type'] ?? '').includes('json')) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A recorded Alertmanager delivery: headers as sent and the parsed body. */
export interface Fixture {
  name: string;
  headers: Record<string, string>;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The Alertmanager 0.25 deliveries kept in the repo. */
export const FIXTURE_DIR = AM_FIXTURES_DIR;

/** Every recorded delivery. */
export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, ...(JSON.parse(readFileSync(path.join(FIXTURE_DIR, f), 'utf8')) as Omit<Fixture, 'name'>) }));
}

/**
 * The body bytes as Alertmanager (Go's json.Encoder) wrote them: HTML characters escaped,
 * a trailing newline. Its length equals the recorded Content-Length, so the recorded
 * headers can be sent unchanged.
 */
export function goJson(body: unknown): Buffer {
  const text = JSON.stringify(body)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return Buffer.from(`${text}\n`, 'utf8');
}

/**
 * Posts a webhook delivery of one firing alert with these labels (its own group key) to `target`,
 * with the test's webhook token; resolves to the answer (tasks per channel, skipped ones).
 */
export async function deliverFiring(target: Pick<Ingest, 'url'>, labels: Record<string, string>, fingerprint: string): Promise<Answer> {
  const body = {
    version: '4',
    receiver: 'gateway',
    status: 'firing',
    groupKey: `{}:{fp="${fingerprint}"}`,
    truncatedAlerts: 0,
    externalURL: '',
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: {},
    alerts: [{ status: 'firing', labels, annotations: {}, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint }],
  };
  return request(target.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
}

/** Two ingest replicas on one Redis prefix, operator and viewer tokens, and a JSON request helper. */
export interface ReplicaPair {
  a: Ingest;
  /** Polls the directory version only once a minute: what it learns within a second came through pub/sub. */
  b: Ingest;
  operator: Record<string, string>;
  viewer: Record<string, string>;
  /** A JSON request to `target` (as the operator unless other headers are given). */
  send(target: Ingest, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
}

/** Registers the hooks of a directory API test across two replicas (started before all, closed after all). */
export function useReplicaPair(prefixName: string): ReplicaPair {
  const t = {
    send: (target: Ingest, method: string, path: string, body?: unknown, headers = t.operator) =>
      request(target.url, method, path, { ...headers, 'Content-Type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body)),
  } as ReplicaPair;
  beforeAll(async () => {
    const prefix = uniquePrefix(prefixName);
    t.a = await startIngest({ prefix, handling: { pollMs: 1000, loops: false } });
    t.b = await startIngest({ prefix, handling: { pollMs: 60_000, loops: false } });
    t.operator = await bearer('operator', 'alice');
    t.viewer = await bearer('viewer', 'victor');
  });
  afterAll(async () => {
    await t.b?.close();
    await t.a?.close();
  });
  return t;
}
