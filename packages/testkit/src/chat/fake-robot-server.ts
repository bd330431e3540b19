import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake robot received, and what it answered. */
export interface RobotRequest {
  /** The robot's token (WeCom key, DingTalk access_token, Feishu hook id). */
  token: string;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when it was not JSON). */
  body: any;
  bytes: number;
  /** The code answered: 0 = accepted. */
  code: number;
  at: number;
}

/** How one provider's fake checks a request; each returns the provider's errcode, or 0. */
export interface ProviderRules {
  /** The token from a request, or undefined when the path is not this provider's. */
  token(url: URL): string | undefined;
  /** Signature check with the robot's secret (only called when it has one). */
  checkSignature(req: { query: URLSearchParams; body: any }, secret: string, now: number): number;
  /** Body schema and size cap. */
  checkBody(body: any, bytes: number): number;
  /** Codes the provider answers for: unknown token, over the rate limit. */
  codes: { unknownToken: number; throttled: number };
  /** The JSON answer for a code. */
  answer(code: number, message: string): Record<string, unknown>;
  /** Default rate limits per robot. */
  limits: Array<{ max: number; windowMs: number }>;
}

/** A running fake robot service on a free loopback port. */
export interface FakeRobotServer {
  /** Base URL, e.g. http://127.0.0.1:43123 */
  url: string;
  /** Every request, in arrival order. */
  requests: RobotRequest[];
  /** Requests it accepted (code 0). */
  accepted(token?: string): RobotRequest[];
  /** The next answers for a token (or any token): errcodes, 0 = let the normal checks decide. */
  script(codes: number[], token?: string): void;
  /** Registers a robot and its secret (undefined: unsigned). Unknown tokens get the provider's unknown-token code. */
  robot(token: string, secret?: string): void;
  /** Replaces the rate limits (tests scale a minute down). */
  setLimits(limits: Array<{ max: number; windowMs: number }>): void;
  reset(): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * A look-alike of a chat provider's robot webhook: checks what the real one checks (token,
 * signature, body schema, size cap, per-robot rate limit with a sliding window), answers HTTP 200
 * with the provider's errcode as the real ones do, plays scripted errcodes, and records everything.
 */
export async function startFakeRobotServer(rules: ProviderRules): Promise<FakeRobotServer> {
  const requests: RobotRequest[] = [];
  const secrets = new Map<string, string | undefined>();
  const scripted = new Map<string, number[]>();
  let limits = rules.limits;
  const sent = new Map<string, number[]>();

  const throttled = (token: string, now: number): boolean => {
    const log = (sent.get(token) ?? []).filter((t) => t > now - Math.max(...limits.map((l) => l.windowMs)));
    sent.set(token, log);
    return limits.some((l) => log.filter((t) => t > now - l.windowMs).length >= l.max);
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://fake');
      const now = Date.now();
      let body: any;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      const token = rules.token(url);
      const reply = (code: number, message: string) => {
        requests.push({ token: token ?? '', query: url.searchParams, body, bytes: raw.length, code, at: now });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(rules.answer(code, message)));
      };
      if (req.method !== 'POST' || token === undefined) {
        res.writeHead(404).end();
        return;
      }
      const queue = scripted.get(token)?.length ? scripted.get(token)! : scripted.get('*');
      const forced = queue?.shift();
      if (forced) return reply(forced, 'scripted');
      if (!secrets.has(token)) return reply(rules.codes.unknownToken, 'token is not exist');
      const secret = secrets.get(token);
      if (secret !== undefined) {
        const code = rules.checkSignature({ query: url.searchParams, body }, secret, now);
        if (code) return reply(code, 'sign not match');
      }
      const bodyCode = rules.checkBody(body, raw.length);
      if (bodyCode) return reply(bodyCode, 'invalid body');
      if (throttled(token, now)) return reply(rules.codes.throttled, 'send too fast');
      sent.get(token)!.push(now);
      return reply(0, 'ok');
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: (token) => requests.filter((r) => r.code === 0 && (token === undefined || r.token === token)),
    script: (codes, token = '*') => scripted.set(token, [...(scripted.get(token) ?? []), ...codes]),
    robot: (token, secret) => void secrets.set(token, secret),
    setLimits: (l) => {
      limits = l;
    },
    reset: () => {
      requests.length = 0;
      scripted.clear();
      sent.clear();
      limits = rules.limits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
