/** Lifecycle of a task hash. */
export type TaskStatus = 'pending' | 'active' | 'delayed' | 'completed' | 'dead';

/**
 * Per-recipient outcome. `retry` is the only non-final state: the worker tries the task
 * again for those recipients only.
 */
export type RecipientStatus = 'delivered' | 'failed' | 'retry' | 'suppressed' | 'merged' | 'dry-run';

/** What happened to one recipient (keyed by Recipient.address in TaskRecord.results). */
export interface RecipientResult {
  status: RecipientStatus;
  /** ISO time of this result. */
  at: string;
  /** Error code or provider code (e.g. SMTP 550, Tencent "LimitExceeded.PhoneNumberDailyLimit"). */
  code?: string;
  /** Human-readable reason; never a secret or a full phone number. */
  message?: string;
  /** Provider facts: message id, SMTP response, SerialNo, Fee, the dry-run request … */
  detail?: Record<string, unknown>;
}

/** A task as stored in its hash. */
export interface TaskRecord<P = unknown> {
  id: string;
  queue: string;
  status: TaskStatus;
  payload: P;
  severityRank: number;
  attempts: number;
  maxAttempts: number;
  results: Record<string, RecipientResult>;
  lastError?: string;
  createdAt: number;
  updatedAt: number;
  /** Milliseconds epoch (Redis time) when it may run again, for delayed tasks. */
  dueAt?: number;
  finishedAt?: number;
  /** Fencing token of the current or last claim. */
  token?: string;
  /** Worker that holds or last held the lease. */
  owner?: string;
  /** Idempotency key it was enqueued under, if any. */
  dedupKey?: string;
  /** Task-level facts a channel returned (SendOutcome.info). */
  info?: Record<string, unknown>;
}

/** A task held by a worker: the record plus the lease's fencing token. */
export interface ClaimedTask<P = unknown> extends TaskRecord<P> {
  token: string;
  /**
   * Key of the shared part the task names, null when it names none, as its claim read it
   * (a task's part never changes): the ack passes it on instead of reading it again.
   */
  partKey?: string | null;
}

/** What a channel's send() returns: one result per recipient it tried. */
export interface SendOutcome {
  results: Record<string, RecipientResult>;
  /** For `retry` results: the earliest sensible time to try again (e.g. a provider rate limit). */
  retryAfterMs?: number;
  /** Task-level facts to keep (e.g. message id, dry-run request). */
  info?: Record<string, unknown>;
}

/** The worker's verdict on an error send() threw (see classifyError). */
export interface ErrorClass {
  retryable: boolean;
  /** Stable short code for metrics and the task hash (e.g. "EAUTH", "smtp-451", "InternalError"). */
  code: string;
  retryAfterMs?: number;
  /** True when the error means the configuration is wrong and will hit every task. */
  configError?: boolean;
}

/**
 * A notification channel: the only thing a channel package contributes to the worker.
 * send() gets the task with `pendingRecipients` (those without a final result yet) and
 * answers per recipient. When it cannot decide anything it throws: a GatewayError with a
 * SEND_* (or TEMPLATE_INVALID) code, its retryable flag and SendErrorDetails, into which the
 * channel has translated its provider's native error. The worker's classifyError judges it.
 */
export interface ChannelHandler<P = unknown> {
  send(task: ClaimedTask<P>, pendingRecipients: string[], signal: AbortSignal): Promise<SendOutcome>;
  /** Every recipient address of the task; default: payload.recipients[].address. */
  recipientsOf?(task: TaskRecord<P>): string[];
}
