import { Writable } from 'node:stream';
import { terminalSafe } from './terminal-safe';

/** A CLI output stream: stdout or stderr as commands see them. */
export type CliOutput = Writable & { isTTY?: boolean };

/**
 * Wraps a CLI output stream so that everything written passes through terminalSafe: runCli
 * hands commands only wrapped streams, so no command can print a control sequence. The one
 * exception is a write of a lone "\r" on a terminal, which progress uses to redraw its line;
 * untrusted text never arrives alone (println appends "\n", progress writes "\r" apart).
 */
export function safeOutput(target: CliOutput): CliOutput {
  const out: CliOutput = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      target.write(text === '\r' && target.isTTY ? text : terminalSafe(text));
      // Synchronous hand-off keeps the order and lets callers read a test capture right after runCli.
      done();
    },
  });
  out.isTTY = target.isTTY;
  return out;
}
