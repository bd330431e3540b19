import type { LabelSet } from '@alertgw/shared';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `team=db,severity=critical` (commas inside double quotes are kept:
 * `summary="a, b"`; quotes around a value are dropped). Returns the labels, or the piece
 * that is not `name=value`.
 */
export function parseLabelList(text: string): LabelSet | { bad: string } {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      pieces.push(current);
      current = '';
    } else current += ch;
  }
  pieces.push(current);
  const labels: LabelSet = {};
  for (const raw of pieces) {
    const piece = raw.trim();
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const name = piece.slice(0, eq).trim();
    if (eq <= 0 || !NAME.test(name)) return { bad: piece };
    const value = piece.slice(eq + 1).trim();
    labels[name] = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return labels;
}
