import { AT_EXAMPLES, parseAtTime, putNamed, type ScheduleConfig } from '@alertgw/shared';
import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { changeDirectory, deleteNamed, showNamed, sourceLine, withDirectory } from '../directory-access';
import { readEntryFile } from '../entry-file';
import { table } from '../format';

/** `alertctl schedule`: list, show, set, override and delete on-call schedules of the directory in Redis. */
export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'list, show, set, override or delete on-call schedules (targets "schedule:<name>")',
  help: `Usage: alertctl schedule list|show|set|override|delete [name] [options]

  alertctl schedule list
  alertctl schedule show <name>                  (get is the same)
  alertctl schedule set <name> --file dba.yaml   the schedule as YAML or JSON: timeZone?, layers,
                                                 overrides? (see config.example.yaml); a schedule
                                                 without timeZone gets schedulesTimeZone
  alertctl schedule override <name> --user bob --from <time> --to <time>
                                                 bob is on call instead of whoever the layers name
  alertctl schedule delete <name>                refused while a route or mandatory names it

Layers are listed lowest first: at any moment the last layer with somebody on wins, and outside
its restrictions a layer falls through to the layer before it. Times (--from, --to): ${AT_EXAMPLES}.
See who is on with alertctl oncall.

Options:
  --file <path>  --user <name>  --from <time>  --to <time>
  --json             print as JSON
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { file: { type: 'string' }, user: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
  run: schedule,
};

async function schedule(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [action, name, ...rest] = args.positionals;
  if (rest.length) throw new CliError(`unexpected argument "${rest[0]}"`, EXIT.usage);
  if (action !== 'list' && !name) throw new CliError(`schedule ${action ?? '<action>'} needs a schedule name (actions: list, show, set, override, delete)`, EXIT.usage);
  return withDirectory(args, ctx, async (view) => {
    const schedules = view.current.doc.schedules ?? [];
    const defaultZone = view.config.schedulesTimeZone;
    switch (action) {
      case 'list':
        if (args.values.json) println(ctx.stdout, JSON.stringify(schedules, null, 2));
        else {
          println(ctx.stdout, sourceLine(view));
          println(ctx.stdout, table(['SCHEDULE', 'ZONE', 'LAYERS', 'OVERRIDES'], schedules.map((s) => [s.name, s.timeZone ?? defaultZone, s.layers.map(describeLayer).join('; '), String((s.overrides ?? []).length)])));
        }
        return EXIT.ok;
      case 'show':
      case 'get':
        return showNamed(ctx, 'schedule', schedules, name);
      case 'set': {
        const file = stringOpt(args, 'file');
        if (file === undefined) throw new CliError('schedule set needs --file <schedule.yaml>', EXIT.usage);
        const entry = readEntryFile(ctx, file, 'schedule', name!, 'layers') as unknown as ScheduleConfig;
        let created = false;
        const stored = await changeDirectory(view, (doc) => {
          doc.schedules ??= [];
          created = !doc.schedules.some((s) => s.name === name);
          putNamed(doc.schedules, { ...entry, timeZone: entry.timeZone ?? defaultZone });
        });
        println(ctx.stdout, `${created ? 'created' : 'replaced'} schedule ${name} (directory version ${stored.version})`);
        return EXIT.ok;
      }
      case 'override': {
        const user = stringOpt(args, 'user');
        const from = stringOpt(args, 'from');
        const to = stringOpt(args, 'to');
        if (!user || !from || !to) throw new CliError('schedule override needs --user, --from and --to', EXIT.usage);
        const found = schedules.find((s) => s.name === name);
        if (!found) throw new CliError(`no schedule "${name}"`);
        const zone = found.timeZone ?? defaultZone;
        const now = Date.now();
        const [fromMs, toMs] = [from, to].map((t, i) => {
          const ms = parseAtTime(t, now, zone);
          if (ms === undefined) throw new CliError(`--${i === 0 ? 'from' : 'to'} is not a time: ${AT_EXAMPLES}`, EXIT.usage);
          return new Date(ms).toISOString();
        });
        const stored = await changeDirectory(view, (doc) => {
          const target = (doc.schedules ?? []).find((s) => s.name === name);
          if (!target) throw new CliError(`no schedule "${name}"`);
          (target.overrides ??= []).push({ user, from: fromMs!, to: toMs! });
        });
        println(ctx.stdout, `${user} is on call for ${name} from ${fromMs} to ${toMs} (directory version ${stored.version})`);
        return EXIT.ok;
      }
      case 'delete':
        return deleteNamed(view, ctx, 'schedules', 'schedule', name!);
      default:
        throw new CliError(`unknown action "${action ?? ''}" (actions: list, show, set, override, delete)`, EXIT.usage);
    }
  });
}

function describeLayer(layer: ScheduleConfig['layers'][number], i: number): string {
  const restricted = layer.restrictions?.length ? ', restricted' : '';
  return `${layer.name ?? `layer ${i + 1}`}: ${layer.members.join(' → ')} every ${layer.rotation}${restricted}`;
}
