import { AT_EXAMPLES, explainRouting, parseAtTime, parseDurationMs, putNamed, redact, type EscalationTierConfig, type RouteConfig } from '@alertgw/shared';
import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { changeDirectory, deleteNamed, showNamed, sourceLine, withDirectory } from '../directory-access';
import { table } from '../format';
import { parseLabelList } from '../parse-labels';
import { renderRouting } from '../render-routing';
import { readEntryFile } from '../entry-file';

/** `alertctl route`: manage routes (label matchers → owners) and test who a label set reaches. */
export const routeCommand: Command = {
  name: 'route',
  summary: 'list, show, set, delete routes, or test who a label set would notify and why',
  help: `Usage: alertctl route list|show|set|delete|test [name] [options]

  alertctl route list
  alertctl route show <name>
  alertctl route set <name> --matcher 'team="db"'… --notify group:dba… [--channel sms]…
                    [--cc dba@example.com]… [--escalate 15m=group:leads[/critical,error]]…
  alertctl route set <name> --file route.yaml   (a YAML/JSON object: matchers, notify, channels,
                                                 cc, escalate — as under routes: in the config)
  alertctl route delete <name>
  alertctl route test --labels 'team=db,severity=critical' [--status resolved]

set creates the route or replaces it whole. Changes go to the directory in Redis and reach
every ingest replica within a second; a route that would not load is refused with every
problem, and the routes in force stay. test uses the directory in force and ingest's own
rules: which routes match (and which matcher did not), who each channel notifies and why,
and what escalates if nobody acks.

Options:
  --matcher <m>       Alertmanager matcher, repeatable, all must match
  --notify <target>   user name or group:<name>, repeatable
  --channel <name>    only these channels, repeatable (default: all)
  --cc <address>      extra email Cc, repeatable
  --escalate <tier>   <after>=<target>[,<target>…][/<severity>,…], e.g. 15m=group:leads/critical
  --file <path>       the route as YAML or JSON (instead of the flags above)
  --labels <list>     test: name=value pairs separated by commas
  --status <status>   test: firing (default) or resolved
  --at <time>         test: when to ask on-call schedules who is on (default now; "8h", ISO time)
  --json              print as JSON
  --config <path>     configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: {
    matcher: { type: 'string', multiple: true },
    notify: { type: 'string', multiple: true },
    channel: { type: 'string', multiple: true },
    cc: { type: 'string', multiple: true },
    escalate: { type: 'string', multiple: true },
    file: { type: 'string' },
    labels: { type: 'string' },
    status: { type: 'string' },
    at: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: route,
};

async function route(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [action, name, ...rest] = args.positionals;
  if (rest.length) throw new CliError(`unexpected argument "${rest[0]}"`, EXIT.usage);
  if (action === 'test') return test(args, ctx, name);
  if (action !== 'list' && !name) throw new CliError(`route ${action ?? '<action>'} needs a route name (actions: list, show, set, delete, test)`, EXIT.usage);
  const routeDef = action === 'set' ? routeFromArgs(args, ctx, name!) : undefined;
  return withDirectory(args, ctx, async (view) => {
    const routes = view.current.doc.routes;
    switch (action) {
      case 'list':
        if (args.values.json) println(ctx.stdout, JSON.stringify(routes, null, 2));
        else {
          println(ctx.stdout, sourceLine(view));
          println(
            ctx.stdout,
            table(
              ['ROUTE', 'MATCHERS', 'NOTIFY', 'CHANNELS', 'ESCALATE'],
              routes.map((r) => [
                r.name,
                r.matchers.join(', '),
                r.notify.join(', '),
                r.channels?.join(', ') ?? 'all',
                (r.escalate ?? []).map((t) => `${t.afterMinutes}m→${t.notify.join('+')}`).join(', ') || '-',
              ]),
            ),
          );
        }
        return EXIT.ok;
      case 'show':
        return showNamed(ctx, 'route', routes, name);
      case 'set': {
        let created = false;
        const stored = await changeDirectory(view, (doc) => {
          created = putNamed(doc.routes, routeDef!);
        });
        println(ctx.stdout, `${created ? 'created' : 'replaced'} route ${name} (directory version ${stored.version})`);
        return EXIT.ok;
      }
      case 'delete':
        return deleteNamed(view, ctx, 'routes', 'route', name!);
      default:
        throw new CliError(`unknown action "${action ?? ''}" (actions: list, show, set, delete, test)`, EXIT.usage);
    }
  });
}

async function test(args: ParsedArgs, ctx: CliContext, extra: string | undefined): Promise<number> {
  if (extra !== undefined) throw new CliError(`route test takes --labels, not "${extra}"`, EXIT.usage);
  const text = stringOpt(args, 'labels');
  if (text === undefined) throw new CliError(`route test needs --labels, e.g. --labels 'team=db,severity=critical'`, EXIT.usage);
  const labels = parseLabelList(text);
  if ('bad' in labels) throw new CliError(`--labels must be name=value pairs separated by commas, got "${labels.bad}"`, EXIT.usage);
  const status = stringOpt(args, 'status') ?? 'firing';
  if (status !== 'firing' && status !== 'resolved') throw new CliError('--status must be firing or resolved', EXIT.usage);
  return withDirectory(args, ctx, async (view) => {
    const at = stringOpt(args, 'at');
    const atMs = at === undefined ? undefined : parseAtTime(at, Date.now(), view.config.schedulesTimeZone);
    if (atMs === undefined && at !== undefined) throw new CliError(`--at is not a time: ${AT_EXAMPLES}`, EXIT.usage);
    const explained = explainRouting({ doc: view.current.doc, config: view.config, labels, status, atMs });
    // --json masks phone numbers as the table does: this output ends up in tickets.
    println(ctx.stdout, args.values.json ? JSON.stringify(redact(explained), null, 2) : renderRouting(explained, sourceLine(view)));
    return EXIT.ok;
  });
}

/** The route `set` writes: from --file, or from the flags. */
function routeFromArgs(args: ParsedArgs, ctx: CliContext, name: string): RouteConfig {
  const list = (key: string) => (args.values[key] as string[] | undefined) ?? [];
  const file = stringOpt(args, 'file');
  if (file !== undefined) {
    if (['matcher', 'notify', 'channel', 'cc', 'escalate'].some((k) => list(k).length)) throw new CliError('give --file or the route flags, not both', EXIT.usage);
    return readEntryFile(ctx, file, 'route', name, 'matchers, notify') as unknown as RouteConfig;
  }
  if (list('matcher').length === 0 || list('notify').length === 0) {
    throw new CliError('route set needs --matcher and --notify (or --file)', EXIT.usage);
  }
  const out: RouteConfig = { name, matchers: list('matcher'), notify: list('notify') };
  if (list('channel').length) out.channels = list('channel');
  if (list('cc').length) out.cc = list('cc');
  if (list('escalate').length) out.escalate = list('escalate').map(parseTier);
  return out;
}

/** `15m=group:leads,carol/critical,error` → one escalation tier. */
function parseTier(text: string): EscalationTierConfig {
  const m = /^([^=]+)=([^/]+)(?:\/(.+))?$/.exec(text.trim());
  const ms = m ? parseDurationMs(m[1]!) : undefined;
  if (!m || ms === undefined || ms <= 0) {
    throw new CliError(`--escalate must be <after>=<target>[,<target>…][/<severity>,…] like 15m=group:leads/critical, got "${text}"`, EXIT.usage);
  }
  const tier: EscalationTierConfig = { afterMinutes: ms / 60_000, notify: m[2]!.split(',').map((t) => t.trim()).filter(Boolean) };
  if (m[3]) tier.severities = m[3].split(',').map((s) => s.trim()).filter(Boolean);
  return tier;
}
