import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Largest secret file read: tokens, passwords and PEM bundles are far smaller. */
export const SECRET_FILE_MAX_BYTES = 64 * 1024;

export type SecretFileRead = { ok: true; value: string } | { ok: false; reason: string };

/**
 * Reads a `*_FILE` secret (a Docker or Kubernetes secret) with trailing line breaks removed.
 * Only a regular file of at most 64 KiB is read: a path that names /dev/zero, a FIFO or a log
 * file by mistake fails with a reason (never the content) instead of hanging the start or filling
 * memory. Opened non-blocking so that a FIFO without a writer cannot hold the caller.
 */
export function readSecretFile(file: string): SecretFileRead {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return { ok: false, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'is not a regular file' };
    if (stat.size > SECRET_FILE_MAX_BYTES) return { ok: false, reason: `is larger than ${SECRET_FILE_MAX_BYTES / 1024} KiB` };
    const buf = Buffer.alloc(stat.size);
    // A network or FUSE mount may answer in parts: read until the size fstat gave, or the end.
    let n = 0;
    for (let got = -1; n < buf.length && got !== 0; n += got) got = readSync(fd, buf, n, buf.length - n, n);
    return { ok: true, value: trimLineBreaks(buf.toString('utf8', 0, n)) };
  } catch (err) {
    return { ok: false, reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    closeSync(fd);
  }
}

/** Drops trailing CR and LF (the newline an editor or `echo` adds); inner ones stay. */
function trimLineBreaks(s: string): string {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 10 || s.charCodeAt(end - 1) === 13)) end -= 1;
  return s.slice(0, end);
}
