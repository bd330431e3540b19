import type { Writable } from 'node:stream';

/** Reports progress of a long operation on one line. */
export interface Progress {
  update(line: string): void;
  done(line: string): void;
}

/**
 * On a terminal, rewrites one line in place; elsewhere (pipes, CI logs) prints a line at most
 * every `everyMs`, so a bulk job shows it is alive without flooding the log.
 */
export function createProgress(stream: Writable & { isTTY?: boolean }, opts: { everyMs?: number; clock?: () => number } = {}): Progress {
  const everyMs = opts.everyMs ?? 1000;
  const clock = opts.clock ?? Date.now;
  let last = -Infinity;
  let width = 0;
  return {
    update(line) {
      if (stream.isTTY) {
        // "\r" goes alone: the output boundary lets only a lone carriage return through.
        stream.write('\r');
        stream.write(line.padEnd(width));
        width = line.length;
        return;
      }
      const now = clock();
      if (now - last < everyMs) return;
      last = now;
      stream.write(`${line}\n`);
    },
    done(line) {
      if (stream.isTTY) stream.write('\r');
      stream.write(stream.isTTY ? `${line.padEnd(width)}\n` : `${line}\n`);
    },
  };
}
