/**
 * Every Redis key of one queue, built in one place, under `{prefix}:<name>:`. Every queue
 * shares the hash tag `{prefix}` with the alert records (alerts/alert-keys.ts): accepting a
 * delivery writes each channel's task and the records in one script, so they must sit in one
 * cluster slot. Queue names are the channel names the config schema defines (email, sms),
 * never `alerts`; alert handling has its own channel-less queue, `handling` (HANDLING_QUEUE).
 *
 *   pending delayed leases dead completed marker seq fence   the queue's fixed keys
 *
 * A lease is a task's lock:<id> (fencing token, PX expiry) and its deadline; the `leases` key is
 * only the ZSET of deadlines (task id → when its lease runs out, the active tasks), so this class
 * calls it `leaseDeadlines`. The Redis key keeps its name: renaming it would need a migration.
 *   task:<id>  HASH    lock:<id>  STRING    dedup:<key>  STRING (idempotency key → task id)
 *   budget:<subject>  ZSET  digest:<subject>  HASH   send budgets (shared/src/flow/send-budget.ts): an SMS phone, a chat robot
 *   conn:slots  conn:holders  ZSETs   the relay's connection budget (notifier-email/connection-budget.ts)
 *
 * Every key built from input (ids, idempotency keys, phone numbers) sits behind a segment no
 * fixed key starts with, so no input can name a fixed key (key-layout.test.ts checks it).
 */
export class QueueKeys {
  readonly tag: string;
  /** Prefix that scripts append `task:<id>` / `lock:<id>` / `dedup:<key>` to. */
  readonly base: string;
  readonly pending: string;
  readonly delayed: string;
  /** ZSET task id → lease deadline (ms): the active tasks, whose expired leases claim takes back. */
  readonly leaseDeadlines: string;
  readonly dead: string;
  readonly completed: string;
  readonly marker: string;
  readonly seq: string;
  readonly fence: string;
  /** ZSET "<replica>/<n>" → lease expiry: connections the replicas hold open to the provider. */
  readonly connectionSlots: string;
  /** ZSET replica → lease expiry: the live replicas sharing the connection budget. */
  readonly connectionHolders: string;

  constructor(prefix: string, name: string) {
    this.tag = `{${prefix}}`;
    this.base = `${this.tag}:${name}:`;
    this.pending = `${this.base}pending`;
    this.delayed = `${this.base}delayed`;
    this.leaseDeadlines = `${this.base}leases`;
    this.dead = `${this.base}dead`;
    this.completed = `${this.base}completed`;
    this.marker = `${this.base}marker`;
    this.seq = `${this.base}seq`;
    this.fence = `${this.base}fence`;
    this.connectionSlots = `${this.base}conn:slots`;
    this.connectionHolders = `${this.base}conn:holders`;
  }

  task(id: string): string {
    return `${this.base}task:${id}`;
  }

  lock(id: string): string {
    return `${this.base}lock:${id}`;
  }

  dedup(key: string): string {
    return `${this.base}dedup:${key}`;
  }

  /** Send budget of one subject (an SMS phone, a chat robot): its sliding-window log of sends. */
  sendBudget(subject: string): string {
    return `${this.base}budget:${subject}`;
  }

  /** One subject's digest of the notifications merged while its budget was spent. */
  sendDigest(subject: string): string {
    return `${this.base}digest:${subject}`;
  }
}

/**
 * Keys of the shared parts of task payloads (queue/shared-part.ts), under `{prefix}:parts:`,
 * the queues' hash tag, so a part sits in the slot of every task that names it:
 *   <id>  HASH  v (the part, deflated), refs, until (lifetime: includes/task-part.lua)
 * Ids are random hex made by the writer (newPartId), never input.
 */
export class PartKeys {
  readonly tag: string;
  /** Prefix every part key starts with. */
  readonly base: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}}`;
    this.base = `${this.tag}:parts:`;
  }

  part(id: string): string {
    return `${this.base}${id}`;
  }
}
