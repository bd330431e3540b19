/**
 * Every Redis key of one queue, built in one place, under `{prefix}:<name>:`. Every queue
 * shares the hash tag `{prefix}` with the alert records (alerts/alert-keys.ts): accepting a
 * delivery writes each channel's task and the records in one script, so they must sit in one
 * cluster slot.
 */
export class QueueKeys {
  readonly tag: string;
  /** Prefix that scripts append `task:<id>` / `lock:<id>` / `dedup:<key>` to. */
  readonly base: string;
  readonly pending: string;
  readonly delayed: string;
  readonly leases: string;
  readonly dead: string;
  readonly completed: string;
  readonly marker: string;
  readonly seq: string;
  readonly fence: string;

  constructor(prefix: string, name: string) {
    this.tag = `{${prefix}}`;
    this.base = `${this.tag}:${name}:`;
    this.pending = `${this.base}pending`;
    this.delayed = `${this.base}delayed`;
    this.leases = `${this.base}leases`;
    this.dead = `${this.base}dead`;
    this.completed = `${this.base}completed`;
    this.marker = `${this.base}marker`;
    this.seq = `${this.base}seq`;
    this.fence = `${this.base}fence`;
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

  /** Any other key a channel wants in this queue's slot (e.g. SMS storm budgets). */
  extra(suffix: string): string {
    return `${this.base}${suffix}`;
  }
}
