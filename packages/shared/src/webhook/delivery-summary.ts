/** Ingest's 2xx answer to a webhook delivery: per channel the task and whether it already existed. */
export interface DeliverySummary {
  deliveryKey: string;
  /** True when every task this delivery maps to had already been created within the dedup window. */
  duplicate: boolean;
  /** Tasks created by this request, per channel (0 or 1). */
  created: Record<string, number>;
  tasks: Record<string, { id: string; duplicate: boolean; recipients: number; severity: string }>;
  /** Channels that carry nothing of this delivery, and why. */
  skipped: Record<string, string>;
}
