/** What a cut parameter ends with, so the reader sees that something was left out. */
export const ELLIPSIS = '…';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Length in Unicode code points, the unit Tencent counts template variables in. */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Cuts `text` to at most `maxLength` code points, ending with "…" when anything was cut.
 * The cut falls on a grapheme boundary, so a Chinese character, an emoji with its
 * modifiers or a letter with its accent is never split; the result may therefore be a
 * little shorter than the limit, never longer.
 */
export function cutToLength(text: string, maxLength: number): string {
  if (maxLength <= 0) return '';
  if (codePointLength(text) <= maxLength) return text;
  if (maxLength === 1) return ELLIPSIS;
  const budget = maxLength - 1;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const n = codePointLength(segment);
    if (used + n > budget) break;
    out += segment;
    used += n;
  }
  return out.trimEnd() + ELLIPSIS;
}
