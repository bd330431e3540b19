import { GatewayError } from '@alertgw/shared';
import type { RobotReply } from './classify-chat-answer';
import { providerCode } from './classify-chat-answer';
import type { ChatProvider } from './providers/provider';

/** Longest answer read from a robot webhook; their JSON answers are tiny. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Seconds (Retry-After, Feishu's x-ogw-ratelimit-reset) to ms; undefined when absent or unreadable. */
function retryAfterOf(headers: Headers): number | undefined {
  const raw = headers.get('retry-after') ?? headers.get('x-ogw-ratelimit-reset');
  const seconds = raw === null ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined;
}

/**
 * POSTs a JSON body to a robot webhook within `timeoutMs` (or until `signal` aborts) and reads
 * the provider's answer. A network failure or timeout is a transient GatewayError whose message
 * names the URL's origin only: the path and query carry the robot's token.
 */
export async function postToRobot(provider: ChatProvider, url: string, body: Record<string, unknown>, timeoutMs: number, signal: AbortSignal): Promise<RobotReply> {
  const origin = new URL(url).origin;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      redirect: 'error',
    });
  } catch (err) {
    const name = (err as Error).name;
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    throw new GatewayError('SEND_TRANSIENT', `${provider.type} robot at ${origin}: ${timedOut ? `no answer within ${timeoutMs} ms` : 'request failed'}`, {
      retryable: true,
      details: { providerCode: providerCode(provider, timedOut ? 'timeout' : 'network') },
    });
  }
  const text = (await res.text()).slice(0, MAX_ANSWER_BYTES);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { httpStatus: res.status, answer: provider.answer(json), retryAfterMs: retryAfterOf(res.headers) };
}
