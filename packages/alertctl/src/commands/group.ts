import { CliError, EXIT, println, type CliContext, type Command, type ParsedArgs } from '../command';
import { changeDirectory, sourceLine, withDirectory } from '../directory-access';
import { table } from '../format';

/** `alertctl group`: groups are the users that list them; set or remove a group's members. */
export const groupCommand: Command = {
  name: 'group',
  summary: 'list groups, set who is in one, or delete one (groups are derived from users)',
  help: `Usage: alertctl group list|set|delete [name] [member…] [options]

  alertctl group list                    every group with its members
  alertctl group set <name> <user>…      exactly these users are in the group
  alertctl group delete <name>           nobody is in it any more (refused while a route needs it)

A group is not an object of its own: it is the users whose "groups" list it. Routes and
escalations name it as "group:<name>".

Options:
  --json             print as JSON
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { json: { type: 'boolean' } },
  run: group,
};

async function group(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [action, name, ...members] = args.positionals;
  if (action !== 'list' && !name) throw new CliError(`group ${action ?? '<action>'} needs a group name (actions: list, set, delete)`, EXIT.usage);
  return withDirectory(args, ctx, async (view) => {
    switch (action) {
      case 'list': {
        const groups = new Map<string, string[]>();
        for (const u of view.current.doc.users) for (const g of u.groups ?? []) groups.set(g, [...(groups.get(g) ?? []), u.name]);
        const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
        if (args.values.json) println(ctx.stdout, JSON.stringify(rows.map(([n, m]) => ({ name: n, members: m })), null, 2));
        else {
          println(ctx.stdout, sourceLine(view));
          println(ctx.stdout, table(['GROUP', 'MEMBERS'], rows.map(([n, m]) => [n, m.join(', ')])));
        }
        return EXIT.ok;
      }
      case 'set': {
        if (members.length === 0) throw new CliError('group set needs the members: alertctl group set <name> <user>…', EXIT.usage);
        const stored = await changeDirectory(view, (doc) => {
          const unknown = members.filter((m) => !doc.users.some((u) => u.name === m));
          if (unknown.length) throw new CliError(`unknown user "${unknown[0]}" (add it first: alertctl user set ${unknown[0]} …)`);
          for (const u of doc.users) {
            const others = (u.groups ?? []).filter((g) => g !== name);
            u.groups = members.includes(u.name) ? [...others, name!] : others;
          }
        });
        println(ctx.stdout, `group ${name}: ${members.join(', ')} (directory version ${stored.version})`);
        return EXIT.ok;
      }
      case 'delete': {
        if (members.length) throw new CliError(`unexpected argument "${members[0]}"`, EXIT.usage);
        const stored = await changeDirectory(view, (doc) => {
          if (!doc.users.some((u) => (u.groups ?? []).includes(name!))) throw new CliError(`no group "${name}" (nobody lists it)`);
          for (const u of doc.users) u.groups = (u.groups ?? []).filter((g) => g !== name);
        });
        println(ctx.stdout, `deleted group ${name} (directory version ${stored.version})`);
        return EXIT.ok;
      }
      default:
        throw new CliError(`unknown action "${action ?? ''}" (actions: list, set, delete)`, EXIT.usage);
    }
  });
}
