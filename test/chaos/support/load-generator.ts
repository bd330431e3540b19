import { createHash } from 'node:crypto';

/** One alert group the generator delivers: its name is unique, so every mail and SMS names its group. */
export interface LoadGroup {
  alertname: string;
  /** The webhook body, identical on every retry (so ingest's dedup sees one delivery). */
  body: string;
}

/** What happened to one group's delivery. */
export interface GroupDelivery {
  group: LoadGroup;
  /** ms epoch of the 2xx; undefined while not accepted. */
  acceptedAt?: number;
  attempts: number;
}

/** Totals of a load run. */
export interface LoadStats {
  accepted: number;
  /** Answers 5xx (503 while Redis is away or handling starts), retried. */
  serverErrors: number;
  /** Connection refused/reset or timeouts (ingest killed), retried. */
  connectionErrors: number;
  elapsedMs: number;
}

/** Options of one load run. */
export interface LoadOptions {
  url: string;
  token: string;
  groups: LoadGroup[];
  /** New groups started per second (deliveries are spread so that kills hit a busy system). */
  ratePerSec: number;
  /** Most deliveries in flight (including those waiting to retry). */
  concurrency: number;
  /** Gives up (throws) on a group not accepted after this long: something is stuck. */
  giveUpMs: number;
}

/** `n` distinct firing groups named ChaosG00000…, with 1–3 critical alerts each. */
export function chaosGroups(n: number, runId: string): LoadGroup[] {
  const startsAt = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => {
    const alertname = `ChaosG${String(i).padStart(5, '0')}`;
    const count = (i % 3) + 1;
    const alerts = Array.from({ length: count }, (_, j) => {
      const labels = { alertname, severity: 'critical', instance: `node-${j}`, run: runId };
      return {
        status: 'firing',
        labels,
        annotations: { summary: `chaos ${i}/${j}` },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example/graph',
        fingerprint: createHash('sha256').update(JSON.stringify(labels)).digest('hex').slice(0, 16),
      };
    });
    const body = {
      receiver: 'gateway',
      status: 'firing',
      alerts,
      groupLabels: { alertname },
      commonLabels: { alertname, severity: 'critical', run: runId },
      commonAnnotations: {},
      externalURL: 'http://alertmanager.example:9093',
      version: '4',
      groupKey: `{}:{alertname="${alertname}"}`,
      truncatedAlerts: 0,
    };
    return { alertname, body: JSON.stringify(body) };
  });
}

/**
 * Delivers every group like Alertmanager's webhook notifier: POST with a bearer token, and on
 * a 5xx or a connection error the same body again after a short backoff, until a 2xx. A 4xx
 * is a bug here (the bodies are valid) and fails the run. Resolves when every group is accepted.
 */
export async function runLoad(opts: LoadOptions, deliveries: GroupDelivery[] = []): Promise<LoadStats> {
  const stats: LoadStats = { accepted: 0, serverErrors: 0, connectionErrors: 0, elapsedMs: 0 };
  const started = Date.now();
  const deliverOne = async (d: GroupDelivery): Promise<void> => {
    for (;;) {
      d.attempts++;
      let status = 0;
      try {
        const res = await fetch(opts.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
          body: d.group.body,
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        stats.connectionErrors++;
      }
      if (status >= 200 && status < 300) {
        d.acceptedAt = Date.now();
        stats.accepted++;
        return;
      }
      if (status >= 400 && status < 500) throw new Error(`ingest refused ${d.group.alertname} with ${status}: the generator's bodies are valid`);
      if (status >= 500) stats.serverErrors++;
      if (Date.now() - started > opts.giveUpMs) throw new Error(`${d.group.alertname} not accepted after ${d.attempts} attempts`);
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** Math.min(d.attempts - 1, 4), 1000)));
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < opts.groups.length) {
      const i = next++;
      // Pacing: group i starts no earlier than i / rate seconds into the run.
      const due = started + (i * 1000) / opts.ratePerSec;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      const d: GroupDelivery = { group: opts.groups[i], attempts: 0 };
      deliveries.push(d);
      await deliverOne(d);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  stats.elapsedMs = Date.now() - started;
  return stats;
}
