/**
 * Characters of chat markdown (WeCom, DingTalk, Feishu lark_md) that can make untrusted text a
 * link, an image, a mention, an HTML-ish tag (<font>, <at>, <@userid>) or bold/code structure,
 * replaced by their full-width look-alikes: none of the three providers documents a backslash
 * escape that all of them honour, and a full-width bracket reads the same to a person.
 */
const LOOKALIKE: Record<string, string> = {
  '[': '［',
  ']': '］',
  '<': '＜',
  '>': '＞',
  '*': '＊',
  '`': 'ˋ',
  '|': '｜',
  '\\': '＼',
  '!': '！',
  '&': '＆',
};

/**
 * Makes untrusted text (labels, annotations, alert names) inert in a chat message: no link,
 * mention or markup can come out of it. Line breaks and other control characters become spaces
 * (a value cannot start a new markdown block); "@" is followed by a zero-width space so no
 * client turns "@13800000000" or "@all" into a mention; "://" gets one too, so a bare URL in a
 * label is not auto-linked.
 */
export function escapeChatText(value: unknown): string {
  return (
    String(value ?? '')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/[[\]<>*`|\\!&]/g, (c) => LOOKALIKE[c]!)
      .replace(/@/g, '@\u200b')
      .replace(/:\/\//g, ':\u200b//')
  );
}

/** A link target safe inside markdown's `(...)`: the URL was checked to be http(s) by safeHttpUrl; parentheses and spaces are percent-encoded. */
export function markdownUrl(href: string): string {
  return href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
}
