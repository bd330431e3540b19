import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a command may touch: everything from the outside world comes in here (main.ts fills it). */
export interface CliContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  /** Aborted on Ctrl-C; long commands stop early and say so. */
  signal?: AbortSignal;
  /** Host name shown in the test alert. */
  hostname?: string;
  now?: () => Date;
}

/** Option definitions in node's util.parseArgs shape. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed command line of one command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** One subcommand: its help text, its options and what it does. Returns the exit code. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage and option lines for `alertctl <name> --help`. */
  help: string;
  options: OptionSpec;
  run(args: ParsedArgs, ctx: CliContext): Promise<number>;
}

/** Exit codes: 0 done, 1 the operation failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** An error the CLI prints as one line (without a stack) and turns into an exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Options every command understands. */
export const COMMON_OPTIONS: OptionSpec = {
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

/** Parses one command's arguments strictly; unknown options and missing values are usage errors. */
export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new CliError(usageMessage(err as Error & { code?: string }, command.name), EXIT.usage);
  }
}

// util.parseArgs' own messages explain `--` quoting at length; one short line is enough here.
function usageMessage(err: Error & { code?: string }, name: string): string {
  const option = /'(-[^']*)'/.exec(err.message)?.[1];
  const hint = `see alertctl ${name} --help`;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${option ?? ''} (${hint})`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `${err.message.split('.')[0]} (${hint})`;
  return `${err.message} (${hint})`;
}

/** A string option's value, or undefined. */
export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A positive integer option, or `fallback` when absent; anything else is a usage error. */
export function intOpt(args: ParsedArgs, name: string, fallback: number): number {
  const raw = stringOpt(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--${name} must be a positive integer, got "${raw}"`, EXIT.usage);
  return n;
}

/** Writes one line to a stream. */
export function println(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
