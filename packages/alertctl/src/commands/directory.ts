import { redact, type DirectoryDoc } from '@alertgw/shared';
import { CliError, EXIT, println, type CliContext, type Command, type ParsedArgs } from '../command';
import { seedOf, sourceLine, withDirectory } from '../directory-access';

/** `alertctl directory`: what the directory in Redis is, and replacing it with the config file's. */
export const directoryCommand: Command = {
  name: 'directory',
  summary: 'show the notification directory in Redis, or reseed it from the configuration file',
  help: `Usage: alertctl directory show|reseed [options]

  alertctl directory show      version, last change, and what it holds
  alertctl directory reseed    replace the directory in Redis with users, robots, routes, schedules and mandatory
                               of the configuration file (every ingest replica picks it up)

The configuration file only seeds Redis when Redis has no directory; afterwards changes made
with alertctl user|group|route or the API live in Redis. reseed is how edits to the file win.

Options:
  --json             print as JSON (show)
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { json: { type: 'boolean' } },
  run: directory,
};

async function directory(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [action, ...rest] = args.positionals;
  if (rest.length) throw new CliError(`unexpected argument "${rest[0]}"`, EXIT.usage);
  return withDirectory(args, ctx, async (view) => {
    const { doc, version } = view.current;
    switch (action) {
      case 'show':
        // Phone numbers masked, as `user list` masks them: this output ends up in tickets.
        if (args.values.json) println(ctx.stdout, JSON.stringify({ version, source: view.source, ...doc, users: redact(doc.users) }, null, 2));
        else {
          println(ctx.stdout, sourceLine(view));
          println(ctx.stdout, `${counts(doc)}, ${(doc.schedules ?? []).length} schedules, mandatory: ${doc.mandatory.join(', ') || 'none'}`);
        }
        return EXIT.ok;
      case 'reseed': {
        const stored = await view.store.replace(seedOf(view.config), view.by);
        println(ctx.stdout, `directory replaced with the configuration's (version ${stored.version}): ${counts(stored.doc)}`);
        return EXIT.ok;
      }
      default:
        throw new CliError(`unknown action "${action ?? ''}" (actions: show, reseed)`, EXIT.usage);
    }
  });
}

/** "3 users, 2 robots, 1 routes" (robots only when there are some, as before chat). */
function counts(doc: DirectoryDoc): string {
  const robots = doc.robots?.length ? `${doc.robots.length} robots, ` : '';
  return `${doc.users.length} users, ${robots}${doc.routes.length} routes`;
}
