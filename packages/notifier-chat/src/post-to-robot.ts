import { GatewayError } from '@alertgw/shared';
import { fetch, type Dispatcher } from 'undici';
import type { RobotReply } from './classify-chat-answer';
import { providerCode } from './classify-chat-answer';
import type { ChatProvider } from './providers/provider';

/** Longest answer read from a robot webhook; their JSON answers are tiny. */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Seconds (Retry-After, Feishu's x-ogw-ratelimit-reset) to ms; undefined when absent or unreadable. */
function retryAfterOf(headers: { get(name: string): string | null }): number | undefined {
  const raw = headers.get('retry-after') ?? headers.get('x-ogw-ratelimit-reset');
  const seconds = raw === null ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined;
}

/**
 * POSTs a JSON body to a robot webhook within `timeoutMs` (or until `signal` aborts) and reads
 * the provider's answer. A network failure or timeout is a transient GatewayError whose message
 * names the URL's origin only: the path and query carry the robot's token. `dispatcher` is the
 * way out (robotRoute: direct or through the egress proxy).
 */
export async function postToRobot(
  provider: ChatProvider,
  url: string,
  body: Record<string, unknown>,
  opts: { timeoutMs: number; signal: AbortSignal; dispatcher: Dispatcher },
): Promise<RobotReply> {
  const { timeoutMs, signal } = opts;
  const origin = new URL(url).origin;
  let res: Awaited<ReturnType<typeof fetch>>;
  try {
    res = await fetch(url, {
      dispatcher: opts.dispatcher,
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
