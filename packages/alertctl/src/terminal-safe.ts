/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts the sequences
 * that set the title, clear the screen or write the clipboard), DEL, C1 controls (U+009B is
 * a one-character CSI), and the bidi overrides and isolates that reorder what is shown.
 * Newline and tab are kept where they are layout; a character class cannot backtrack.
 */
const UNSAFE_KEEP_LAYOUT = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
/** The same, newline and tab included: for text that must stay on one line (a table cell, a label). */
const UNSAFE_ONE_LINE = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text fit for a terminal: every control and bidi-override character replaced by its visible
 * escape (ESC → "\x1b", U+202E → "\u202e"), so a hostile label shows what it tried instead
 * of doing it. `oneLine` escapes newline and tab too.
 */
export function terminalSafe(text: string, opts: { oneLine?: boolean } = {}): string {
  return text.replace(opts.oneLine ? UNSAFE_ONE_LINE : UNSAFE_KEEP_LAYOUT, escape);
}

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
