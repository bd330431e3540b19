import { getAlert, redact, type AlertRecord, type TimelineEvent } from '@alertgw/shared';
import { CliError, EXIT, println, type CliContext, type Command, type ParsedArgs } from '../command';
import { loadCliConfig, withRedis } from '../connect';
import { showAddress, table, truncate } from '../format';
import { terminalSafe } from '../terminal-safe';

/** One alert's record and its events, oldest first (what the shared record store keeps). */
export interface AlertTimeline {
  alert: AlertRecord;
  timeline: TimelineEvent[];
}

/** `alertctl timeline <fingerprint>`: one alert's record and every event on it. */
export const timelineCommand: Command = {
  name: 'timeline',
  summary: "show one alert's timeline (received, tasks, notification results)",
  help: `Usage: alertctl timeline <fingerprint> [options]

Reads the alert's record from Redis: its labels and state, then every event — each
delivery received, each task created, each notification result per recipient.
The fingerprint is Alertmanager's (alertctl send-test prints it).

Options:
  --json             print the record and timeline as JSON (phone numbers masked)
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { json: { type: 'boolean' } },
  run: timeline,
};

async function timeline(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [fingerprint, ...rest] = args.positionals;
  if (!fingerprint || rest.length) throw new CliError('timeline needs exactly one fingerprint: alertctl timeline <fingerprint>', EXIT.usage);
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(fingerprint)) throw new CliError(`"${truncate(fingerprint, 40)}" is not a fingerprint`, EXIT.usage);
  const { config } = loadCliConfig(args, ctx);
  return withRedis(config, ctx, async (redis) => {
    const found = await getAlert(redis, config.redis.keyPrefix, fingerprint);
    if (!found) throw new CliError(`no alert with fingerprint ${fingerprint} (never received, or expired after it resolved)`);
    // Notification events carry phone numbers as recipient keys; masked as the API masks them.
    const masked: AlertTimeline = { alert: found.alert, timeline: found.timeline.map((e) => redact(e) as TimelineEvent) };
    println(ctx.stdout, args.values.json ? JSON.stringify(masked, null, 2) : renderTimeline(masked));
    return EXIT.ok;
  });
}

/** The record as a header block, then one row per event, oldest first. */
export function renderTimeline({ alert, timeline: events }: AlertTimeline): string {
  const labels = Object.entries(alert.labels)
    .map(([k, v]) => terminalSafe(`${k}=${v}`, { oneLine: true }))
    .join(' ');
  const head = `${alert.labels.alertname ?? '?'}  ${alert.status.toUpperCase()}${alert.severity ? `  severity=${alert.severity}` : ''}  fingerprint ${alert.fingerprint}`;
  const out = [
    terminalSafe(head, { oneLine: true }),
    `labels:     ${labels}`,
  ];
  if (alert.annotations.summary) out.push(`summary:    ${truncate(alert.annotations.summary, 200)}`);
  out.push(`starts:     ${alert.startsAt}${alert.status === 'resolved' ? `   ends: ${alert.endsAt}` : ''}`);
  out.push(`seen:       first ${alert.firstSeen}, last ${alert.lastSeen} (receiver ${alert.receiver})`, '');
  out.push(table(['TIME', 'EVENT', 'DETAILS'], events.map((e) => [e.at, e.type, describeEvent(e)])));
  return out.join('\n');
}

/** One line per event type; unknown types (added later, e.g. ack) show their fields. */
export function describeEvent(e: TimelineEvent): string {
  switch (e.type) {
    case 'received':
      return `${e.status} via receiver ${e.receiver}`;
    case 'task-created':
      return `${e.channel} task ${e.taskId}${e.duplicate ? ' (duplicate delivery: no new task)' : ''}`;
    case 'notification':
      return notification(e);
    default: {
      const { at: _at, type: _type, ...rest } = e;
      return truncate(JSON.stringify(rest), 160);
    }
  }
}

function notification(e: Record<string, unknown>): string {
  const results = (e.results ?? {}) as Record<string, { status?: string; code?: string; message?: string }>;
  const parts = Object.entries(results).map(([address, r]) => {
    const why = r.code ?? r.message;
    return `${showAddress(address)} ${r.status ?? '?'}${why && r.status !== 'delivered' ? ` (${truncate(String(why), 60)})` : ''}`;
  });
  const head = `${e.channel} task ${e.taskId}${e.taskStatus ? ` ${e.taskStatus}` : ''}${e.attempts ? `, attempt ${e.attempts}` : ''}`;
  return parts.length ? `${head}: ${parts.join('; ')}` : head;
}
