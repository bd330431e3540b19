/**
 * Every Redis key of the per-alert record store, built in one place, under
 * `{<prefix>}:alerts:`. The hash tag `{<prefix>}` is the queues' too (queue/keys.ts): one
 * script accepts a delivery — each channel's task, the records, their indexes — atomically,
 * on a Redis Cluster as well (one slot: the gateway's load is alert groups, not bulk data).
 *
 *   a:<fingerprint>        HASH   the record: fingerprint, status, severity, labels (JSON),
 *                                 annotations (JSON), startsAt, endsAt, generatorURL,
 *                                 receiver, groupKey, firstSeen, lastSeen (ISO),
 *                                 lastDelivery (idempotency key of the last delivery)
 *   tl:<fingerprint>       LIST   timeline, one JSON event {at, type, ...} per entry, oldest
 *                                 first; readers read its newest MAX_TIMELINE entries,
 *                                 writers trim it back to those once it holds 30 more
 *   idx:all                ZSET   fingerprint → first-seen ms (newest first in the list API;
 *                                 a fixed score, so an alert seen again costs no index write)
 *   idx:status:<status>    ZSET   same, per status (firing, resolved)
 *   idx:severity:<sev>     ZSET   same, per severity label value (cut to MAX_SEVERITY_LENGTH)
 *   idx:severities         SET    severity values that have an index, at most MAX_INDEXED_SEVERITIES;
 *                                 an index that empties is deleted and leaves this set
 *   idx:severity-overflow  ZSET   same as idx:all, records whose severity found no free index
 *   idx:expiry             ZSET   fingerprint → ms when a resolved record expires
 *   idx:expiry-severity    HASH   fingerprint → severity of a resolved record, so the sweep
 *                                 removes its one severity index entry after the record expired
 *
 * Resolved records get PEXPIRE = retention on their hash and timeline; the index entries
 * are removed by the sweep in upsert-alerts, or when the fingerprint comes back first (and
 * skipped by readers until then).
 *
 * Keys built from input sit behind a segment no fixed key starts with (`a:`, `tl:`,
 * `idx:severity:`), so no fingerprint or severity can name a fixed key; HandlingKeys, in
 * the same namespace, keeps to the same rule (see key-layout.test.ts).
 */
export class AlertKeys {
  readonly tag: string;
  /** Prefix that scripts append `a:<fp>` / `tl:<fp>` / `idx:…` to. */
  readonly base: string;
  readonly all: string;
  readonly expiry: string;
  readonly severities: string;
  readonly severityOverflow: string;
  readonly expirySeverity: string;

  constructor(prefix: string) {
    this.tag = `{${prefix}}`;
    this.base = `${this.tag}:alerts:`;
    this.all = `${this.base}idx:all`;
    this.expiry = `${this.base}idx:expiry`;
    this.severities = `${this.base}idx:severities`;
    this.severityOverflow = `${this.base}idx:severity-overflow`;
    this.expirySeverity = `${this.base}idx:expiry-severity`;
  }

  record(fingerprint: string): string {
    return `${this.base}a:${fingerprint}`;
  }

  timeline(fingerprint: string): string {
    return `${this.base}tl:${fingerprint}`;
  }

  byStatus(status: string): string {
    return `${this.base}idx:status:${status}`;
  }

  bySeverity(severity: string): string {
    return `${this.base}idx:severity:${severity}`;
  }
}
