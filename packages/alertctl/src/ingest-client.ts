import type { DeliverySummary, WebhookMessage } from '@alertgw/shared';
import { CliError } from './command';

/** Where ingest is and how to authenticate, as Alertmanager's webhook_config would. */
export interface IngestTarget {
  /** Base URL, e.g. http://127.0.0.1:9097. */
  url: string;
  token?: string;
  timeoutMs: number;
}

/**
 * POSTs one webhook body to ingest exactly as Alertmanager does and returns its summary;
 * every failure becomes one CliError line saying what to do about it.
 */
export async function postWebhook(target: IngestTarget, message: WebhookMessage): Promise<DeliverySummary> {
  const endpoint = `${target.url.replace(/\/+$/, '')}/webhook/alertmanager`;
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'alertctl' };
  if (target.token) headers.Authorization = `Bearer ${target.token}`;
  let res: Response;
  try {
    res = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(message), signal: AbortSignal.timeout(target.timeoutMs) });
  } catch (err) {
    throw new CliError(`cannot reach ingest at ${endpoint}: ${reasonOf(err)} (is it running? npm start, or docker compose up)`);
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not ingest (a proxy's HTML page, say); the status line below says enough.
  }
  if (res.status === 401) {
    throw new CliError(`ingest refused the credentials (401): pass --token or set INGEST_TOKEN to one of ingest.auth.bearerTokens`);
  }
  if (!res.ok) {
    const detail = typeof body.message === 'string' ? body.message : text.slice(0, 200);
    throw new CliError(`ingest answered ${res.status} at ${endpoint}: ${detail}`);
  }
  if (typeof body.deliveryKey !== 'string') throw new CliError(`${endpoint} answered 2xx but not with an ingest delivery summary`);
  return body as unknown as DeliverySummary;
}

function reasonOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'no answer in time';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
