import { GatewayError, type HttpMailGatewayConfig } from '@alertgw/shared';
import type { MailTransport, OutgoingMail, TransportReceipt } from './types';

/** Characters of the gateway's answer kept in results and errors (it may echo a lot). */
const MAX_BODY_CHARS = 300;

function authorization(config: HttpMailGatewayConfig): string | undefined {
  if (config.bearerToken) return `Bearer ${config.bearerToken}`;
  if (config.basic) return `Basic ${Buffer.from(`${config.basic.username}:${config.basic.password}`).toString('base64')}`;
  return undefined;
}

/** Retry-After (seconds or HTTP date) in milliseconds, if present and sane. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.min(seconds * 1000, 3_600_000) : undefined;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), 3_600_000);
}

/** The JSON body the gateway receives. */
export function gatewayBody(mail: OutgoingMail): Record<string, unknown> {
  const wanted = new Set(mail.envelopeTo.map((a) => a.toLowerCase()));
  return {
    from: mail.from,
    // A gateway has no envelope: only this attempt's recipients go into to/cc.
    to: mail.to.filter((a) => wanted.has(a.toLowerCase())),
    cc: mail.cc.filter((a) => wanted.has(a.toLowerCase())),
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    messageId: mail.messageId,
    headers: { 'In-Reply-To': mail.inReplyTo, References: mail.references, ...mail.headers },
    ...(mail.attachments.length ? { attachments: mail.attachments } : {}),
  };
}

/**
 * An internal HTTP mail API: POST JSON {from, to, cc, subject, html, text, …} with a bearer or
 * basic credential. 2xx = accepted for every recipient; 5xx, 429, timeouts and network errors
 * are transient; 401/403 are a configuration error; any other 4xx is permanent.
 */
export function createHttpGatewayTransport(config: HttpMailGatewayConfig): MailTransport {
  const auth = authorization(config);
  const url = new URL(config.url);
  const where = `${url.protocol}//${url.host}${url.pathname}`; // never the query (may hold a key)

  return {
    async send(mail: OutgoingMail, signal: AbortSignal): Promise<TransportReceipt> {
      signal.throwIfAborted();
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...(auth ? { authorization: auth } : {}) },
          body: JSON.stringify(gatewayBody(mail)),
          signal: AbortSignal.any([signal, AbortSignal.timeout(config.timeoutMs)]),
          redirect: 'error',
        });
      } catch (err) {
        if (signal.aborted) throw err;
        const timeout = (err as Error).name === 'TimeoutError';
        throw new GatewayError('SEND_TRANSIENT', `mail gateway ${where} ${timeout ? 'timed out' : 'unreachable'}`, {
          retryable: true,
          cause: err,
          details: { providerCode: timeout ? 'http-timeout' : 'http-network' },
        });
      }
      const body = (await res.text().catch(() => '')).slice(0, MAX_BODY_CHARS);
      const response = `HTTP ${res.status}${body ? ` ${body.replace(/\s+/g, ' ').trim()}` : ''}`;
      if (res.ok) {
        const envelope = gatewayBody(mail) as { to: string[]; cc: string[] };
        let providerId: unknown;
        try {
          const parsed = JSON.parse(body) as Record<string, unknown>;
          providerId = parsed.messageId ?? parsed.id;
        } catch {
          providerId = undefined;
        }
        return {
          messageId: typeof providerId === 'string' && providerId ? providerId : mail.messageId,
          response,
          accepted: [...envelope.to, ...envelope.cc],
          rejected: [],
        };
      }
      const code = `http-${res.status}`;
      const details = { providerCode: code, status: res.status, response };
      if (res.status >= 500 || res.status === 429 || res.status === 408) {
        const after = retryAfterMs(res.headers.get('retry-after'));
        throw new GatewayError('SEND_TRANSIENT', `mail gateway ${where} answered ${res.status}`, {
          retryable: true,
          details: after === undefined ? details : { ...details, retryAfterMs: after },
        });
      }
      const badCredential = res.status === 401 || res.status === 403;
      throw new GatewayError(badCredential ? 'SEND_CONFIG' : 'SEND_PERMANENT', `mail gateway ${where} answered ${res.status}`, {
        details,
      });
    },
    async verify() {
      // A generic gateway has no side-effect-free probe; the first send shows whether it works.
    },
    close() {},
  };
}
