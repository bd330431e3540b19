import { GatewayError } from '@alertgw/shared';
import { CliError, EXIT, parseCommandArgs, println, type CliContext, type Command } from './command';
import { safeOutput } from './safe-output';
import { directoryCommand } from './commands/directory';
import { groupCommand } from './commands/group';
import { queuesCommand } from './commands/queues';
import { redisAclCommand } from './commands/redis-acl';
import { replayCommand } from './commands/replay';
import { routeCommand } from './commands/route';
import { sendTestCommand } from './commands/send-test';
import { timelineCommand } from './commands/timeline';
import { tokenCommand } from './commands/token';
import { robotCommand } from './commands/robot';
import { userCommand } from './commands/user';
import { oncallCommand } from './commands/oncall';
import { scheduleCommand } from './commands/schedule';

/** Every subcommand, in the order `alertctl --help` lists them. */
export const COMMANDS: readonly Command[] = [
  sendTestCommand,
  queuesCommand,
  replayCommand,
  timelineCommand,
  tokenCommand,
  userCommand,
  robotCommand,
  groupCommand,
  routeCommand,
  scheduleCommand,
  oncallCommand,
  directoryCommand,
  redisAclCommand,
];

/** The top-level help text. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: alertctl <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Redis and the configuration are found like the services find them: --config <path>,',
    'else $CONFIG, else ./config.yaml, else config.example.yaml; redis.url, else $REDIS_URL,',
    'else 127.0.0.1:6379.',
    '',
    'Run `alertctl <command> --help` for its options. Exit codes: 0 done, 1 failed, 2 usage error.',
  ].join('\n');
}

/**
 * Runs one command line and returns the exit code. Every failure ends as one line on stderr
 * ("alertctl <command>: <what went wrong>"); configuration errors keep their problem list.
 * Commands get only safeOutput-wrapped streams: alert labels, comments and server answers
 * are untrusted, and nothing printed may drive the terminal.
 */
export async function runCli(argv: readonly string[], outside: CliContext): Promise<number> {
  const ctx: CliContext = { ...outside, stdout: safeOutput(outside.stdout), stderr: safeOutput(outside.stderr) };
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    println(ctx.stdout, topic ? topic.help : mainHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    println(ctx.stderr, `alertctl: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')}; see alertctl --help)`);
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(command, [...rest]);
    if (args.values.help) {
      println(ctx.stdout, command.help);
      return EXIT.ok;
    }
    return await command.run(args, ctx);
  } catch (err) {
    println(ctx.stderr, `alertctl ${command.name}: ${messageOf(err)}`);
    return err instanceof CliError ? err.exitCode : EXIT.failed;
  }
}

function messageOf(err: unknown): string {
  if (err instanceof CliError || err instanceof GatewayError) return err.message;
  // Anything else is unexpected (a bug, or Redis failing mid-command): say what, not a stack.
  const e = err as Error & { code?: string };
  return `${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
}
