import { hostname } from 'node:os';
import { runCli } from './run-cli';
import { terminalSafe } from './terminal-safe';

// The only place alertctl reads argv and env and handles signals.
const interrupt = new AbortController();
process.on('SIGINT', () => {
  // The first Ctrl-C lets the command wind down (send-test still resolves); the second quits.
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: interrupt.signal,
  hostname: hostname(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`alertctl: ${terminalSafe(err instanceof Error ? err.message : String(err))}\n`);
    process.exitCode = 1;
  },
);
