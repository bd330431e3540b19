import type { UserConfig } from '@alertgw/shared';
import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { deleteNamed, editNamed, showNamed, sourceLine, withDirectory } from '../directory-access';
import { showAddress, table } from '../format';

/** `alertctl user`: list, show, create/update and delete users of the directory in Redis. */
export const userCommand: Command = {
  name: 'user',
  summary: 'list, show, set or delete users of the notification directory (live, no restart)',
  help: `Usage: alertctl user list|show|set|delete [name] [options]

  alertctl user list                     every user, with groups (phone numbers masked)
  alertctl user show <name>
  alertctl user set <name> [--email a@b] [--phone +86...] [--group g]... [--chat-id dingtalk=<id>]...
                                         creates the user, or changes only the fields given;
                                         --group replaces the groups; "" removes email or phone;
                                         --chat-id sets one provider's id (wecom, dingtalk, feishu),
                                         "<provider>=" removes it: chat robots @-mention by it
  alertctl user delete <name>            refused while a route or mandatory still needs them

Changes go to the directory in Redis and reach every ingest replica within a second. They are
checked like the config file: E.164 phones, email addresses, routes that still resolve.

Options:
  --email <address>  --phone <+E.164>  --group <name> (repeatable)
  --chat-id <provider>=<id> (repeatable)
  --json             print as JSON
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { email: { type: 'string' }, phone: { type: 'string' }, group: { type: 'string', multiple: true }, 'chat-id': { type: 'string', multiple: true }, json: { type: 'boolean' } },
  run: user,
};

async function user(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [action, name, ...rest] = args.positionals;
  if (rest.length) throw new CliError(`unexpected argument "${rest[0]}"`, EXIT.usage);
  if (action !== 'list' && !name) throw new CliError(`user ${action ?? '<action>'} needs a user name (actions: list, show, set, delete)`, EXIT.usage);
  return withDirectory(args, ctx, async (view) => {
    const users = view.current.doc.users;
    switch (action) {
      case 'list':
        if (args.values.json) println(ctx.stdout, JSON.stringify(users.map(masked), null, 2));
        else {
          println(ctx.stdout, sourceLine(view));
          println(ctx.stdout, table(['USER', 'EMAIL', 'PHONE', 'GROUPS'], users.map((u) => [u.name, u.email ?? '-', u.phone ? showAddress(u.phone) : '-', (u.groups ?? []).join(', ') || '-'])));
        }
        return EXIT.ok;
      case 'show':
        return showNamed(ctx, 'user', users, name, masked);
      case 'set': {
        const email = stringOpt(args, 'email');
        const phone = stringOpt(args, 'phone');
        const groups = args.values.group as string[] | undefined;
        const chatIds = chatIdsFromArgs(args);
        return editNamed<UserConfig>(view, ctx, 'user', name!, (doc) => doc.users, () => ({ name: name!, groups: [] }), (entry) => {
          if (email !== undefined) setOrDelete(entry, 'email', email);
          if (phone !== undefined) setOrDelete(entry, 'phone', phone);
          if (groups !== undefined) entry.groups = [...new Set(groups)];
          if (chatIds.length) setChatIds(entry, chatIds);
        });
      }
      case 'delete':
        return deleteNamed(view, ctx, 'users', 'user', name!);
      default:
        throw new CliError(`unknown action "${action ?? ''}" (actions: list, show, set, delete)`, EXIT.usage);
    }
  });
}

/** `--chat-id dingtalk=manager1234` pairs; the provider names are checked with the directory (chatIds is a closed object). */
function chatIdsFromArgs(args: ParsedArgs): Array<[string, string]> {
  return ((args.values['chat-id'] as string[] | undefined) ?? []).map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`--chat-id takes <provider>=<id>, e.g. dingtalk=manager1234 (got "${pair}")`, EXIT.usage);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

function setChatIds(user: UserConfig, pairs: Array<[string, string]>): void {
  const ids: Record<string, string> = { ...user.chatIds };
  for (const [provider, id] of pairs) {
    if (id === '') delete ids[provider];
    else ids[provider] = id;
  }
  if (Object.keys(ids).length) user.chatIds = ids;
  else delete user.chatIds;
}

function setOrDelete(user: UserConfig, key: 'email' | 'phone', value: string): void {
  if (value === '') delete user[key];
  else user[key] = value;
}

function masked(user: UserConfig): UserConfig {
  return user.phone ? { ...user, phone: showAddress(user.phone) } : user;
}
