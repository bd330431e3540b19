import { COLOURS } from './severity-colour';

/**
 * The look alert mail and ingest's ack page share: font stacks (CJK fallbacks included) as
 * inline CSS, and the status/severity colours. Inline, because mail clients drop style blocks.
 */
export const PAGE_STYLE = {
  font: "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'PingFang SC','Microsoft YaHei',sans-serif;",
  mono: "font-family:SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;",
  colours: COLOURS,
} as const;

/** `2026-11-24 13:42:14 UTC`; the input itself (cut to 64 characters) when it is not a date. */
export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return String(iso ?? '').slice(0, 64);
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** Human duration such as `3m 10s` or `2d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: Array<[string, number]> = [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || (unit === 's' && parts.length === 0)) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}
