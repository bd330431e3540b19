import type { RobotConfig } from '@alertgw/shared';
import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { deleteNamed, editNamed, showNamed, sourceLine, withDirectory } from '../directory-access';
import { showAddress, table } from '../format';

/** `alertctl robot`: list, show, create/update and delete the chat robots of the directory in Redis. */
export const robotCommand: Command = {
  name: 'robot',
  summary: 'list, show, set or delete chat robots (WeCom, DingTalk, Feishu) of the directory (live, no restart)',
  help: `Usage: alertctl robot list|show|set|delete [name] [options]

  alertctl robot list                    every robot (mention phone numbers masked)
  alertctl robot show <name>
  alertctl robot set <name> --type dingtalk --webhook '\${CHAT_OPS_WEBHOOK}' [--secret '\${CHAT_OPS_SECRET}']
                    [--mention-mobile +86...]... [--mention-user <id>]... [--mention-all true|false]
                                         creates the robot, or changes only the fields given;
                                         --mention-* replace that list; --secret "" removes the secret
  alertctl robot delete <name>           refused while a route or mandatory still names robot:<name>

Routes, mandatory and escalation tiers reach a robot as robot:<name>, on the chat channel only.
The webhook URL and the secret are never stored: --webhook and --secret take a \${NAME}
reference to an environment variable of notifier-chat (single-quote it in the shell), and a
literal URL or secret is refused. Changes reach every ingest replica within a second.

Options:
  --type <wecom|dingtalk|feishu>  --webhook <\${NAME}>  --secret <\${NAME}>
  --mention-mobile <+E.164> (repeatable)  --mention-user <provider user id> (repeatable)
  --mention-all <true|false>  mention everyone in the group
  --json             print as JSON
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: {
    type: { type: 'string' },
    webhook: { type: 'string' },
    secret: { type: 'string' },
    'mention-mobile': { type: 'string', multiple: true },
    'mention-user': { type: 'string', multiple: true },
    'mention-all': { type: 'string' },
    json: { type: 'boolean' },
  },
  run: robot,
};

async function robot(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [action, name, ...rest] = args.positionals;
  if (rest.length) throw new CliError(`unexpected argument "${rest[0]}"`, EXIT.usage);
  if (action !== 'list' && !name) throw new CliError(`robot ${action ?? '<action>'} needs a robot name (actions: list, show, set, delete)`, EXIT.usage);
  const edit = action === 'set' ? editFromArgs(args) : undefined;
  return withDirectory(args, ctx, async (view) => {
    const robots = view.current.doc.robots ?? [];
    switch (action) {
      case 'list':
        if (args.values.json) println(ctx.stdout, JSON.stringify(robots.map(masked), null, 2));
        else {
          println(ctx.stdout, sourceLine(view));
          println(ctx.stdout, table(['ROBOT', 'TYPE', 'WEBHOOK', 'SECRET', 'MENTIONS'], robots.map((r) => [r.name, r.type, r.webhookUrl, r.secret ?? '-', mentionsText(r)])));
        }
        return EXIT.ok;
      case 'show':
        return showNamed(ctx, 'robot', robots, name, masked);
      case 'set':
        // type and webhookUrl are required: left out of a new robot, the directory's check names them.
        return editNamed(view, ctx, 'robot', name!, (doc) => (doc.robots ??= []), () => ({ name: name! }) as RobotConfig, edit!);
      case 'delete':
        return deleteNamed(view, ctx, 'robots', 'robot', name!);
      default:
        throw new CliError(`unknown action "${action ?? ''}" (actions: list, show, set, delete)`, EXIT.usage);
    }
  });
}

/** The change `set` makes, read from the flags before Redis is touched (so a usage error connects to nothing). */
function editFromArgs(args: ParsedArgs): (entry: RobotConfig) => void {
  const type = stringOpt(args, 'type');
  const webhook = stringOpt(args, 'webhook');
  const secret = stringOpt(args, 'secret');
  const mobiles = args.values['mention-mobile'] as string[] | undefined;
  const userIds = args.values['mention-user'] as string[] | undefined;
  const allText = stringOpt(args, 'mention-all');
  if (allText !== undefined && allText !== 'true' && allText !== 'false') throw new CliError('--mention-all takes true or false', EXIT.usage);
  return (entry) => {
    if (type !== undefined) entry.type = type as RobotConfig['type'];
    if (webhook !== undefined) entry.webhookUrl = webhook;
    if (secret === '') delete entry.secret;
    else if (secret !== undefined) entry.secret = secret;
    if (mobiles === undefined && userIds === undefined && allText === undefined) return;
    const mentions = { ...entry.mentions };
    if (mobiles !== undefined) mentions.mobiles = [...new Set(mobiles)];
    if (userIds !== undefined) mentions.userIds = [...new Set(userIds)];
    if (allText !== undefined) mentions.all = allText === 'true';
    entry.mentions = mentions;
  };
}

function mentionsText(robot: RobotConfig): string {
  const m = robot.mentions;
  const parts = [...(m?.all ? ['@all'] : []), ...(m?.mobiles ?? []).map(showAddress), ...(m?.userIds ?? [])];
  return parts.join(', ') || '-';
}

function masked(robot: RobotConfig): RobotConfig {
  const mobiles = robot.mentions?.mobiles;
  return mobiles ? { ...robot, mentions: { ...robot.mentions, mobiles: mobiles.map(showAddress) } } : robot;
}
