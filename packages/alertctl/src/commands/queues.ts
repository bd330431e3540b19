import { CliError, EXIT, intOpt, println, type CliContext, type Command, type ParsedArgs } from '../command';
import { loadCliConfig, withRedis } from '../connect';
import { ago, span, table, truncate } from '../format';
import { readQueueReport, type QueueReport } from '../queue-report';

/** `alertctl queues`: depths per channel and severity, in-flight leases and dead letters. */
export const queuesCommand: Command = {
  name: 'queues',
  summary: 'show queue depths per channel and severity, in-flight leases and dead letters',
  help: `Usage: alertctl queues [channel…] [options]

Reads the queues in Redis (REDIS_URL or redis.url; the channels come from the config).

Options:
  --limit <n>        rows of leases and dead letters per channel (default 10)
  --json             print the report as JSON
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { limit: { type: 'string' }, json: { type: 'boolean' } },
  run: queues,
};

async function queues(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const limit = intOpt(args, 'limit', 10);
  const { config } = loadCliConfig(args, ctx);
  const known = Object.keys(config.channels);
  const unknown = args.positionals.filter((c) => !known.includes(c));
  if (unknown.length) throw new CliError(`unknown channel "${unknown[0]}" (configured: ${known.join(', ')})`, EXIT.usage);
  const channels = args.positionals.length ? args.positionals : known;

  return withRedis(config, ctx, async (redis, where) => {
    const report = await readQueueReport(redis, config, { limit, channels });
    if (args.values.json) println(ctx.stdout, JSON.stringify(report, null, 2));
    else println(ctx.stdout, renderQueueReport(report, where, limit));
    return EXIT.ok;
  });
}

/** The report as text: four short tables with a hint on what to do next. */
export function renderQueueReport(report: QueueReport, where: string, limit: number): string {
  const out: string[] = [`Queues in ${where} (key prefix ${report.prefix})`, ''];
  out.push(
    table(
      ['CHANNEL', 'PENDING', 'ACTIVE', 'DELAYED', 'DEAD', 'COMPLETED'],
      report.channels.map((c) => [
        c.enabled ? c.name : `${c.name} (disabled)`,
        ...(['pending', 'active', 'delayed', 'dead', 'completed'] as const).map((s) => String(c.counts[s])),
      ]),
    ),
  );

  const columns = report.channels[0]?.pendingBySeverity ?? [];
  out.push('', 'Pending by severity (most urgent first)');
  out.push(table(['CHANNEL', ...columns.map((c) => c.label)], report.channels.map((c) => [c.name, ...c.pendingBySeverity.map((p) => String(p.count))])));

  const leases = report.channels.flatMap((c) => c.leases.map((l) => ({ channel: c.name, ...l })));
  out.push('', 'In flight (leased)');
  out.push(
    tableOrNone(
      ['CHANNEL', 'TASK', 'OWNER', 'SINCE', 'LEASE', 'ATTEMPT'],
      leases.map((l) => [
        l.channel,
        l.id,
        l.owner,
        ago(l.since, report.now),
        l.deadline >= report.now ? `ends in ${span(l.deadline - report.now)}` : `expired ${span(report.now - l.deadline)} ago (reclaimed on next claim)`,
        `${l.attempts}/${l.maxAttempts}`,
      ]),
    ),
  );
  out.push(...more(report, 'active', limit, (c) => c.leases.length));

  const dead = report.channels.flatMap((c) => c.dead.map((d) => ({ channel: c.name, ...d })));
  out.push('', 'Dead letters (newest first)');
  out.push(
    tableOrNone(
      ['CHANNEL', 'TASK', 'DIED', 'ATTEMPTS', 'GROUP', 'NOT DELIVERED', 'LAST ERROR'],
      dead.map((d) => [
        d.channel,
        d.id,
        ago(d.diedAt, report.now),
        `${d.attempts}/${d.maxAttempts}`,
        truncate(d.group, 30),
        truncate(d.undelivered.join(', ') || '-', 40),
        truncate(d.lastError || '-', 60),
      ]),
    ),
  );
  if (dead.length > 0) {
    out.push(...more(report, 'dead', limit, (c) => c.dead.length));
    out.push(`  replay: alertctl replay <channel> <task>…  or  alertctl replay <channel> --all`);
  }
  return out.join('\n');
}

// A section's rows as a table, or "none" when it has no rows (a header alone would read as a fault).
function tableOrNone(header: string[], rows: string[][]): string {
  return rows.length === 0 ? '  none' : table(header, rows);
}

function more(report: QueueReport, state: 'active' | 'dead', limit: number, shown: (c: QueueReport['channels'][number]) => number): string[] {
  return report.channels
    .filter((c) => c.counts[state] > shown(c) && shown(c) >= limit)
    .map((c) => `  … ${c.counts[state] - shown(c)} more in ${c.name} (--limit)`);
}
