import { GatewayError, urlOrigin } from '@alertgw/shared';
import type { AlertmanagerConfig, LabelSet } from '@alertgw/shared';

/** A silence as the Alertmanager API v2 returns it (the fields used here). */
export interface AlertmanagerSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** The few Alertmanager API v2 calls alert handling makes. */
export interface AlertmanagerClient {
  /** Creates a silence matching exactly these labels; resolves to its id. */
  createSilence(input: { labels: LabelSet; endsAt: Date; createdBy: string; comment: string; startsAt?: Date }): Promise<string>;
  /** Expires a silence; one that is unknown or already expired counts as done. */
  expireSilence(id: string): Promise<void>;
  getSilence(id: string): Promise<AlertmanagerSilence | null>;
  /** Whether Alertmanager still holds an unresolved alert with this fingerprint (silenced or not). */
  hasAlert(labels: LabelSet, fingerprint: string): Promise<boolean>;
}

/**
 * Builds the client (fetch, per-call timeout, optional bearer or basic auth). Failures
 * become GatewayError UPSTREAM_FAILED with Alertmanager's status and a short reason; they
 * quote only the URL's origin, so neither credentials nor a path or query appear in them.
 */
export function createAlertmanagerClient(config: Pick<AlertmanagerConfig, 'url' | 'timeoutMs' | 'bearerToken' | 'basic'>): AlertmanagerClient {
  const base = `${config.url.replace(/\/+$/, '')}/api/v2`;
  const where = urlOrigin(config.url);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (config.bearerToken) headers.Authorization = `Bearer ${config.bearerToken}`;
  else if (config.basic) headers.Authorization = `Basic ${Buffer.from(`${config.basic.username}:${config.basic.password}`).toString('base64')}`;

  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(config.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      // fetch quotes the whole URL in some messages (one with credentials, for one): origins only.
      const reason = e.name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : (e.cause?.code ?? e.message.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, urlOrigin));
      throw new GatewayError('UPSTREAM_FAILED', `Alertmanager at ${where} cannot be reached: ${reason}`, { retryable: true, cause: err });
    }
    return { status: res.status, text: await res.text() };
  };
  const failed = (what: string, r: { status: number; text: string }) =>
    new GatewayError('UPSTREAM_FAILED', `Alertmanager refused to ${what}: HTTP ${r.status} ${r.text.replace(/\s+/g, ' ').trim().slice(0, 200)}`, {
      retryable: r.status >= 500,
      details: { status: r.status },
    });

  return {
    async createSilence(input) {
      const matchers = Object.entries(input.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
      const r = await call('POST', '/silences', {
        matchers,
        startsAt: (input.startsAt ?? new Date()).toISOString(),
        endsAt: input.endsAt.toISOString(),
        createdBy: input.createdBy,
        comment: input.comment,
      });
      if (r.status !== 200) throw failed('create the silence', r);
      const id = (JSON.parse(r.text) as { silenceID?: string }).silenceID;
      if (!id) throw failed('create the silence (no silenceID in the answer)', r);
      return id;
    },
    async expireSilence(id) {
      const r = await call('DELETE', `/silence/${encodeURIComponent(id)}`);
      // Alertmanager 0.25 answers 200 to a second expiry and 500 "silence not found" to an
      // unknown id; either way there is nothing left to expire.
      if (r.status === 200 || r.status === 404 || /already expired|not found/i.test(r.text)) return;
      throw failed(`expire silence ${id}`, r);
    },
    async getSilence(id) {
      const r = await call('GET', `/silence/${encodeURIComponent(id)}`);
      if (r.status === 404) return null;
      if (r.status !== 200) throw failed(`read silence ${id}`, r);
      return JSON.parse(r.text) as AlertmanagerSilence;
    },
    async hasAlert(labels, fingerprint) {
      const query = new URLSearchParams({ active: 'true', silenced: 'true', inhibited: 'true', unprocessed: 'true' });
      for (const [name, value] of Object.entries(labels)) query.append('filter', `${name}=${goQuote(value)}`);
      const r = await call('GET', `/alerts?${query.toString()}`);
      if (r.status !== 200) throw failed('list alerts', r);
      return (JSON.parse(r.text) as Array<{ fingerprint?: string }>).some((a) => a.fingerprint === fingerprint);
    },
  };
}

/** A label value as a double-quoted matcher value, escaped the way Alertmanager's parser reads it. */
function goQuote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
