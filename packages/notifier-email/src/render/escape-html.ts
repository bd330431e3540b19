const HTML_SPECIAL = /[&<>'"]/;

/**
 * ejs's escapeXML with the same output for every value (test/render/escape-html.test.ts checks
 * it against ejs's on arbitrary input): null and undefined become '', anything else String(),
 * then & < > " ' as &amp; &lt; &gt; &#34; &#39;. ejs replaces with a global regex and a callback
 * per character found; the HTML template escapes ~100 values per mail, most with nothing to
 * escape and the font stacks with eight quotes each, so a search for the first special
 * character, then one pass from there, costs about half as much.
 */
export function escapeHtml(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  const first = text.search(HTML_SPECIAL);
  if (first === -1) return text;
  let out = '';
  let copiedTo = 0;
  for (let i = first; i < text.length; i++) {
    let entity: string;
    switch (text.charCodeAt(i)) {
      case 0x26: entity = '&amp;'; break;
      case 0x3c: entity = '&lt;'; break;
      case 0x3e: entity = '&gt;'; break;
      case 0x22: entity = '&#34;'; break;
      case 0x27: entity = '&#39;'; break;
      default: continue;
    }
    out += text.slice(copiedTo, i) + entity;
    copiedTo = i + 1;
  }
  return out + text.slice(copiedTo);
}
