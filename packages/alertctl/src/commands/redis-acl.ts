import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { loadCliConfig } from '../connect';
import { redisAclRules } from '../redis-acl-rules';

/** What a key prefix may be: it is printed into an ACL rule line, so nothing that could end or widen a pattern. */
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

/** `alertctl redis-acl`: the least-privilege ACL rules of the gateway's Redis user, for the configured key prefix. */
export const redisAclCommand: Command = {
  name: 'redis-acl',
  summary: "print the least-privilege Redis ACL rules of the gateway's user",
  help: `Usage: alertctl redis-acl [--prefix <keyPrefix>] [--user <name>] [options]

Prints the ACL rules every gateway service (and alertctl) needs for key prefix --prefix
(default: redis.keyPrefix of the configuration): only the gateway's hash tags, their pub/sub
channels and the commands the services and their Lua scripts send. Paste the line into an ACL
file, or run it with redis-cli; the password is yours to add (">secret" or "#<sha256>").

Options:
  --prefix <p>       key prefix (default: the configuration's redis.keyPrefix)
  --user <name>      print a full "ACL SETUSER <name> reset ..." command instead of the rules
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { prefix: { type: 'string' }, user: { type: 'string' } },
  run: redisAcl,
};

async function redisAcl(args: ParsedArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length > 0) throw new CliError(`redis-acl takes no arguments, got "${args.positionals[0]}"`, EXIT.usage);
  const prefix = stringOpt(args, 'prefix') ?? loadCliConfig(args, ctx).config.redis.keyPrefix;
  if (!PREFIX.test(prefix)) throw new CliError('--prefix must be 1-64 of A-Z a-z 0-9 _ . -', EXIT.usage);
  const user = stringOpt(args, 'user');
  if (user !== undefined && !PREFIX.test(user)) throw new CliError('--user must be 1-64 of A-Z a-z 0-9 _ . -', EXIT.usage);
  const rules = redisAclRules(prefix);
  println(ctx.stdout, user === undefined ? rules : `ACL SETUSER ${user} reset ${rules}`);
  return EXIT.ok;
}
