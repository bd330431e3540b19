import type { RedisClient } from '../queue/task-queue';
import type { AlertStatus, LabelSet } from '../webhook/types';
import { AlertKeys } from './alert-keys';
import { MAX_SEVERITY_LENGTH, MAX_TIMELINE } from './upsert-alerts';
import type { AlertRecord, TimelineEvent } from './types';

/** Filters and page of a record listing. */
export interface AlertQuery {
  status?: AlertStatus;
  severity?: string;
  /**
   * Extra test on records (e.g. label matchers), given a batch (up to 200, in listing order) and
   * answering one boolean per record; it may be async, so the matching can run off the event loop.
   */
  filter?: (records: AlertRecord[]) => boolean[] | Promise<boolean[]>;
  offset?: number;
  limit?: number;
}

/** One page of records, most recently first seen first. */
export interface AlertPage {
  items: AlertRecord[];
  offset: number;
  limit: number;
  /** Offset of the next page, or null on the last one. */
  nextOffset: number | null;
  /** Size of the index read, when no filter narrowed it (so it is the total). */
  total?: number;
  /**
   * With a severity filter: true when its index answered; false when some records have no
   * severity index (more than MAX_INDEXED_SEVERITIES distinct severities were seen) or the filter
   * is empty (records without a severity), so every record was read and compared instead — the
   * answer is complete either way, only slower.
   */
  severityIndexed?: boolean;
}

/** Largest page the store hands out. */
export const MAX_PAGE = 500;
const BATCH = 200;

const KNOWN = new Set([
  'fingerprint', 'status', 'severity', 'labels', 'annotations', 'startsAt', 'endsAt',
  'generatorURL', 'receiver', 'groupKey', 'firstSeen', 'lastSeen', 'lastDelivery',
]);

/**
 * One alert's record and its timeline (oldest event first, at most its newest `maxTimeline`
 * entries: writers trim the list only every few appends), or null when unknown or expired.
 */
export async function getAlert(
  redis: RedisClient,
  prefix: string,
  fingerprint: string,
  { maxTimeline = MAX_TIMELINE }: { maxTimeline?: number } = {},
): Promise<{ alert: AlertRecord; timeline: TimelineEvent[] } | null> {
  const keys = new AlertKeys(prefix);
  const replies = (await redis.pipeline().hgetall(keys.record(fingerprint)).lrange(keys.timeline(fingerprint), -Math.max(1, Math.floor(maxTimeline)), -1).exec()) ?? [];
  for (const [err] of replies) if (err) throw err;
  const fields = replies[0][1] as Record<string, string>;
  // An empty fingerprint is a (hostile) fingerprint too; only a missing hash means no record.
  if (fields.fingerprint === undefined) return null;
  const timeline = (replies[1][1] as string[]).map((e) => parseJson<TimelineEvent>(e, { at: '', type: 'unreadable' }));
  // Events come from several processes (ingest, notifiers, handling): order by time, stably.
  timeline.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return { alert: parseRecord(fields), timeline };
}

/**
 * Lists records through the status or severity index, most recently first seen first, applying the other
 * filters while reading; records whose index entry outlived them are skipped. When some records could
 * not be indexed by severity (see upsert-alerts), a severity filter reads every record instead.
 */
export async function listAlerts(redis: RedisClient, prefix: string, query: AlertQuery = {}): Promise<AlertPage> {
  const keys = new AlertKeys(prefix);
  const offset = Math.max(0, Math.floor(query.offset ?? 0));
  const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 50)), MAX_PAGE);
  // Stored severities are cut, so a query for the long value finds what it was stored as.
  const severity = query.severity?.slice(0, MAX_SEVERITY_LENGTH);
  // Records without a severity have no index, so `severity=` (empty) always reads records.
  const severityIndexed = severity !== undefined && severity !== '' && (await redis.zcard(keys.severityOverflow)) === 0;
  const statusIndex = query.status ? keys.byStatus(query.status) : keys.all;
  const index = severityIndexed ? keys.bySeverity(severity) : statusIndex;
  const checkStatus = severityIndexed && query.status !== undefined;
  const checkSeverity = severity !== undefined && !severityIndexed;
  const filtered = checkStatus || checkSeverity || query.filter !== undefined;

  const items: AlertRecord[] = [];
  // Without filters the page starts at `offset` in the index itself; with them every match before it must be counted.
  let cursor = filtered ? 0 : offset;
  let matched = filtered ? 0 : offset;
  let more = false;
  for (;;) {
    const fps = await redis.zrevrange(index, cursor, cursor + BATCH - 1);
    if (fps.length === 0) break;
    cursor += fps.length;
    const pipeline = redis.pipeline();
    for (const fp of fps) pipeline.hgetall(keys.record(fp));
    const replies = (await pipeline.exec()) ?? [];
    let candidates: AlertRecord[] = [];
    for (const [err, value] of replies) {
      if (err) throw err;
      const fields = value as Record<string, string>;
      if (fields.fingerprint === undefined) continue;
      const record = parseRecord(fields);
      if (checkStatus && record.status !== query.status) continue;
      if (checkSeverity && record.severity !== severity) continue;
      candidates.push(record);
    }
    if (query.filter && candidates.length) {
      const keep = await query.filter(candidates);
      candidates = candidates.filter((_, i) => keep[i] === true);
    }
    for (const record of candidates) {
      if (matched >= offset + limit) {
        more = true;
        break;
      }
      if (matched >= offset) items.push(record);
      matched++;
    }
    if (more || fps.length < BATCH) break;
  }
  const page: AlertPage = { items, offset, limit, nextOffset: more ? offset + limit : null };
  if (severity !== undefined) page.severityIndexed = severityIndexed;
  if (!filtered) page.total = await redis.zcard(index);
  return page;
}

function parseRecord(f: Record<string, string>): AlertRecord {
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (!KNOWN.has(k)) extra[k] = v;
  const record: AlertRecord = {
    fingerprint: f.fingerprint,
    status: f.status as AlertStatus,
    severity: f.severity ?? '',
    labels: parseJson<LabelSet>(f.labels, {}),
    annotations: parseJson<LabelSet>(f.annotations, {}),
    startsAt: f.startsAt ?? '',
    endsAt: f.endsAt ?? '',
    generatorURL: f.generatorURL ?? '',
    receiver: f.receiver ?? '',
    groupKey: f.groupKey ?? '',
    firstSeen: f.firstSeen ?? '',
    lastSeen: f.lastSeen ?? '',
  };
  if (Object.keys(extra).length) record.extra = extra;
  return record;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
