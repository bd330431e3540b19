import { AT_EXAMPLES, createDirectory, onCallView, parseAtTime, type OnCallView } from '@alertgw/shared';
import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { sourceLine, withDirectory } from '../directory-access';
import { table } from '../format';

/** `alertctl oncall`: who is on call now (or at a time), until when, and through which layer or override. */
export const oncallCommand: Command = {
  name: 'oncall',
  summary: 'who is on call now or at a time, and until when',
  help: `Usage: alertctl oncall [<schedule>] [--at <time>]

  alertctl oncall                        every schedule, now
  alertctl oncall dba --at 2026-03-02T09:59
  alertctl oncall --at 8h                who will be on in 8 hours

Times: ${AT_EXAMPLES}.
The answer comes from the directory in Redis (the configuration file's while Redis has none),
with the same rules ingest and the notifiers use when they send.

Options:
  --at <time>        when to ask about (default: now)
  --json             print as JSON
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { at: { type: 'string' }, json: { type: 'boolean' } },
  run: oncall,
};

async function oncall(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [name, ...rest] = args.positionals;
  if (rest.length) throw new CliError(`unexpected argument "${rest[0]}"`, EXIT.usage);
  return withDirectory(args, ctx, async (view) => {
    const doc = view.current.doc;
    const at = stringOpt(args, 'at');
    const atMs = at === undefined ? Date.now() : parseAtTime(at, Date.now(), view.config.schedulesTimeZone);
    if (atMs === undefined) throw new CliError(`--at is not a time: ${AT_EXAMPLES}`, EXIT.usage);
    const directory = createDirectory(doc.users, doc.schedules);
    const names = name !== undefined ? [name] : (doc.schedules ?? []).map((s) => s.name);
    const items = names.map((n) => {
      const schedule = directory.schedule(n);
      if (!schedule) throw new CliError(`no schedule "${n}"`);
      return onCallView(schedule.onCallAt(atMs), directory);
    });
    if (args.values.json) {
      println(ctx.stdout, JSON.stringify({ at: new Date(atMs).toISOString(), items }, null, 2));
      return EXIT.ok;
    }
    println(ctx.stdout, `${sourceLine(view)}; at ${new Date(atMs).toISOString()}`);
    if (items.length === 0) println(ctx.stdout, 'no schedules');
    else println(ctx.stdout, table(['SCHEDULE', 'ON CALL', 'UNTIL', 'VIA'], items.map((i) => [i.schedule, i.users.join(', ') || 'nobody', i.untilLocal ?? 'no change ahead', via(i)])));
    return EXIT.ok;
  });
}

/** "override", "layer daytime (shift 3)", or why nobody is on. */
function via(item: OnCallView): string {
  const passed = item.path.passedOver.length ? `; ${item.path.passedOver.map((p) => `${p.layer} ${p.why}`).join(', ')}` : '';
  if (item.path.source === 'override') return `override ${item.path.override?.from} – ${item.path.override?.to}`;
  if (item.path.source === 'layer') return `${item.path.layer}${passed}`;
  return `nobody on${passed}`;
}
