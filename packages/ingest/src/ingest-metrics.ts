import { Counter, Histogram, type Registry } from 'prom-client';

/** Why a delivery was refused; the label values of deliveries_rejected_total. */
export type RejectReason =
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'too_large'
  | 'malformed_json'
  | 'invalid_schema'
  | 'redis_unavailable'
  | 'internal';

/** The ingest service's own metrics (queue depths are registered separately). */
export interface IngestMetrics {
  received: Counter;
  rejected: Counter<'reason'>;
  duplicates: Counter<'channel'>;
  enqueued: Counter<'channel' | 'severity'>;
  requestDuration: Histogram<'route' | 'method' | 'code'>;
}

/** Registers the ingest metrics on `registry` (one registry per app, so tests never collide). */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    received: new Counter({
      name: 'alertgw_ingest_deliveries_received_total',
      help: 'Webhook deliveries received (before any check).',
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'alertgw_ingest_deliveries_rejected_total',
      help: 'Webhook deliveries refused, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'alertgw_ingest_duplicates_total',
      help: 'Tasks not created because the same delivery was already accepted within the dedup window.',
      labelNames: ['channel'],
      registers: [registry],
    }),
    enqueued: new Counter({
      name: 'alertgw_ingest_tasks_enqueued_total',
      help: 'Notification tasks enqueued, by channel and severity (unknown severities count as "other").',
      labelNames: ['channel', 'severity'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'alertgw_ingest_request_duration_seconds',
      help: 'HTTP request latency, by route, method and status code.',
      labelNames: ['route', 'method', 'code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}
