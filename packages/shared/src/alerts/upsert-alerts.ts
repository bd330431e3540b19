import type { RedisClient } from '../queue/task-queue';
import type { ScriptArg, ScriptCall } from '../redis/lua-scripts';
import type { DeliveryJson } from '../webhook/delivery-json';
import type { WebhookAlert } from '../webhook/types';
import { AlertKeys } from './alert-keys';
import { ALERT_SCRIPTS } from './alert-scripts';
import type { TimelineEvent } from './types';

/** Timeline entries readers see per alert, the newest; writers drop older ones every few appends (includes/timeline.lua). */
export const MAX_TIMELINE = 200;

/** Severity values longer than this are cut before they are stored or become part of an index key. */
export const MAX_SEVERITY_LENGTH = 64;

/**
 * At most this many distinct severities get an index of their own. Real setups use a handful;
 * the bound keeps a flood of made-up severities from growing Redis without end, and keeps
 * every upsert's cost independent of how many there ever were. Past it, a record is stored and
 * listed as usual, only not indexed by severity (listAlerts then reads records to filter).
 */
export const MAX_INDEXED_SEVERITIES = 256;

/** One task a delivery created (or found already created), for the `task-created` events. */
export interface TaskRef {
  channel: string;
  taskId: string;
  duplicate: boolean;
}

/** Everything one delivery tells the record store but its tasks. */
export interface UpsertRecordsInput {
  prefix: string;
  alerts: WebhookAlert[];
  receiver: string;
  groupKey: string;
  deliveryKey: string;
  /** How long a resolved record is kept. */
  retentionMs: number;
  now?: Date;
  maxTimeline?: number;
  /** Bound on distinct severity indexes (MAX_INDEXED_SEVERITIES unless a test lowers it). */
  maxIndexedSeverities?: number;
  /** Where each alert's labels/annotations JSON comes from (cut from the raw body); serialized when left out. */
  json?: Pick<DeliveryJson, 'labels' | 'annotations'>;
}

/** Everything one delivery tells the record store. */
export interface UpsertAlertsInput extends UpsertRecordsInput {
  tasks: TaskRef[];
}

/** The severity an alert is indexed under: its `severity` label, cut to a sane length. */
export function alertSeverity(alert: WebhookAlert): string {
  const sev = alert.labels.severity;
  return typeof sev === 'string' ? sev.slice(0, MAX_SEVERITY_LENGTH) : '';
}

/** Upserts a delivery's alert records in one script call; resolves to {upserted, swept}. */
export async function upsertAlerts(redis: RedisClient, input: UpsertAlertsInput): Promise<{ upserted: number; swept: number }> {
  const [keys, args] = upsertCall(input);
  const reply = (await ALERT_SCRIPTS.run(redis, 'upsertAlerts', keys, [upsertTasksArg(input.tasks), ...args])) as [number, number];
  return { upserted: Number(reply[0]), swept: Number(reply[1]) };
}

/** The upsert script's first ARGV: the tasks, each one `task-created` event per alert. */
function upsertTasksArg(tasks: readonly TaskRef[]): string {
  return JSON.stringify(tasks.map((t) => [t.channel, t.taskId, t.duplicate ? 1 : 0]));
}

/**
 * The upsert script's KEYS and its ARGV from the second on: the first, the tasks, is made by
 * whoever knows them (upsertAlerts, or the accept-delivery script from its own enqueues).
 */
export function upsertCall(input: UpsertRecordsInput): ScriptCall {
  const keys = new AlertKeys(input.prefix);
  const now = input.now ?? new Date();
  const at = now.toISOString();
  const received = (status: 'firing' | 'resolved') =>
    JSON.stringify({
      at,
      type: 'received',
      status,
      receiver: input.receiver,
      groupKey: input.groupKey,
      deliveryKey: input.deliveryKey,
    } satisfies TimelineEvent);
  const args: ScriptArg[] = [
    keys.base,
    now.getTime(),
    at,
    Math.max(1, Math.floor(input.retentionMs)),
    input.maxTimeline ?? MAX_TIMELINE,
    input.deliveryKey,
    input.receiver,
    input.groupKey,
    received('firing'),
    received('resolved'),
    input.maxIndexedSeverities ?? MAX_INDEXED_SEVERITIES,
  ];
  input.alerts.forEach((alert, i) => {
    args.push(
      alert.fingerprint,
      alert.status,
      alertSeverity(alert),
      input.json ? input.json.labels(i) : JSON.stringify(alert.labels),
      input.json ? input.json.annotations(i) : JSON.stringify(alert.annotations),
      alert.startsAt,
      alert.endsAt,
      alert.generatorURL,
    );
  });
  return [[keys.all, keys.expiry, keys.severities, keys.severityOverflow, keys.expirySeverity], args];
}
