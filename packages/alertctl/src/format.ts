import { maskPhone } from '@alertgw/shared';
import { terminalSafe } from './terminal-safe';

/**
 * Lays out rows as aligned columns under a header; columns whose cells are all numbers are
 * right-aligned, so counts line up. Cells stay on one line: a newline in a label cannot forge a row.
 */
export function table(header: string[], cells: string[][]): string {
  const rows = cells.map((r) => r.map((cell) => terminalSafe(cell ?? '', { oneLine: true })));
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^-?\d+(\/\d+)?$/.test(r[i] ?? '')));
  const line = (r: string[]) =>
    r
      .map((cell, i) => (numeric[i] ? (cell ?? '').padStart(widths[i]) : (cell ?? '').padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n');
}

/** A short human span: 950ms, 12s, 5m, 3h, 2d (rounded down to the largest unit). */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(abs)}ms`;
  if (abs < 60_000) return `${Math.floor(abs / 1000)}s`;
  if (abs < 3_600_000) return `${Math.floor(abs / 60_000)}m`;
  if (abs < 86_400_000) return `${Math.floor(abs / 3_600_000)}h`;
  return `${Math.floor(abs / 86_400_000)}d`;
}

/** "12s ago" for a past epoch-ms time (relative to `now`), "in 5s" for a future one. */
export function ago(at: number, now: number): string {
  return at <= now ? `${span(now - at)} ago` : `in ${span(at - now)}`;
}

/** Cuts text to `max` characters on one line (newlines become spaces). */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A recipient address fit for a terminal: emails as they are, phone numbers masked. */
export function showAddress(address: string): string {
  // Already masked numbers (notifiers write them so) stay as they are.
  return address.includes('@') || address.includes('*') ? address : maskPhone(address);
}
