import { GatewayError } from '@alertgw/shared';
import type { ChatProvider, ProviderAnswer } from './providers/provider';

/** What an HTTP exchange with a robot webhook came back as. */
export interface RobotReply {
  httpStatus: number;
  /** The parsed provider answer; undefined when the body was not the provider's JSON. */
  answer?: ProviderAnswer;
  /** Retry-After (or Feishu's x-ogw-ratelimit-reset) in ms, when the reply had one. */
  retryAfterMs?: number;
}

/** A provider code as recorded on tasks and metrics: "dingtalk-130101". */
export const providerCode = (provider: ChatProvider, code: number | string): string => `${provider.type}-${code}`;

/**
 * Judges a robot's reply by its errcode, not its HTTP status: HTTP 200 with a non-zero errcode
 * is a failure. Returns undefined when the message was accepted, else the GatewayError the
 * worker's classifyError reads (retryable flag, details.providerCode, details.retryAfterMs):
 * codes from the provider's table as listed there; unknown non-zero codes permanent (an unknown
 * refusal retried by every replica is how retry storms start); 429, 5xx and replies without the
 * provider's JSON transient; any other 4xx permanent.
 */
export function classifyChatAnswer(provider: ChatProvider, reply: RobotReply): GatewayError | undefined {
  const { answer, httpStatus } = reply;
  if (answer) {
    if (answer.code === 0) return undefined;
    const code = providerCode(provider, answer.code);
    const entry = Object.hasOwn(provider.errcodes, answer.code) ? provider.errcodes[answer.code] : undefined;
    const message = `${provider.type} answered errcode ${answer.code}${entry ? ` (${entry.meaning})` : ''}: ${answer.message.slice(0, 200)}`;
    const retryAfterMs = Math.max(reply.retryAfterMs ?? 0, entry?.retryAfterMs ?? 0) || undefined;
    if (entry?.kind === 'transient') {
      return new GatewayError('SEND_TRANSIENT', message, { retryable: true, details: { providerCode: code, httpStatus, retryAfterMs, doc: entry.doc } });
    }
    return new GatewayError(entry?.kind === 'config' ? 'SEND_CONFIG' : 'SEND_PERMANENT', message, {
      details: { providerCode: code, httpStatus, ...(entry ? { doc: entry.doc } : {}) },
    });
  }
  if (httpStatus >= 200 && httpStatus < 300) {
    return new GatewayError('SEND_TRANSIENT', `${provider.type} answered HTTP ${httpStatus} without its JSON errcode`, {
      retryable: true,
      details: { providerCode: providerCode(provider, 'no-errcode'), httpStatus },
    });
  }
  const retryable = httpStatus === 429 || httpStatus >= 500;
  return new GatewayError(retryable ? 'SEND_TRANSIENT' : 'SEND_PERMANENT', `${provider.type} answered HTTP ${httpStatus}`, {
    retryable,
    details: { providerCode: providerCode(provider, `http-${httpStatus}`), httpStatus, ...(reply.retryAfterMs ? { retryAfterMs: reply.retryAfterMs } : {}) },
  });
}
