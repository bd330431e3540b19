import { durationProblem, parseDurationMs } from '@alertgw/shared';
import { CliError, EXIT } from './command';

/**
 * Reads a duration option ("5s", "1m30s", "12h") into milliseconds with the project's one
 * grammar; anything else, a bare number included, is a usage error naming the option.
 */
export function durationOption(text: string, option: string, examples?: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new CliError(durationProblem(option, text, examples), EXIT.usage);
  return ms;
}
