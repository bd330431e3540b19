import MimeNode from 'nodemailer/lib/mime-node';
import type { OutgoingMail } from './types';

/** RFC 5322 §2.1.1: a line is at most 998 octets, CRLF excluded. */
const MAX_LINE = 998;
/** RFC 2045 §6.8: base64 lines of at most 76 characters. */
const BASE64_LINE = 76;

// Printable ASCII, tab and LF only: text that can go as 7bit once LF becomes CRLF. A CR is left
// out, so a bare CR can never reach the wire (it would take the base64 path). Anchored, so the
// regex runs one match over the text instead of trying a search from every position.
const ALL_7BIT = /^[\t\n\x20-\x7e]*$/;

/** Whether no line of `content` (split at LF) is longer than 998 octets; native searches for the LFs. */
function linesFit(content: string): boolean {
  let lineStart = 0;
  for (;;) {
    const lf = content.indexOf('\n', lineStart);
    const lineEnd = lf === -1 ? content.length : lf;
    if (lineEnd - lineStart > MAX_LINE) return false;
    if (lf === -1) return true;
    lineStart = lf + 1;
  }
}

/**
 * One text part (headers and body) ready for the MIME tree, in the cheapest encoding that is
 * valid: as it is (7bit) when it is printable ASCII with lines of at most 998 octets, the rule
 * for alert mail rendered from the built-in templates; else base64, one native pass, and for
 * CJK text a third of quoted-printable's size. nodemailer's own choice would detect by counting
 * every letter with a global regex, then quoted-printable-encode in JavaScript: most of a mail's
 * CPU in a storm.
 */
export function encodeTextPart(content: string, contentType: string): string {
  const head = `Content-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: `;
  if (ALL_7BIT.test(content) && linesFit(content)) return `${head}7bit\r\n\r\n${content.replaceAll('\n', '\r\n')}`;
  return `${head}base64\r\n\r\n${base64Lines(content)}`;
}

/** One MIME leaf's body: base64 in lines of 76 (RFC 2045 §6.8), as one native encoding pass. */
function base64Lines(content: string | Buffer): string {
  const b64 = (typeof content === 'string' ? Buffer.from(content, 'utf8') : content).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += BASE64_LINE) lines.push(b64.slice(i, i + BASE64_LINE));
  return lines.join('\r\n');
}

/** A multipart node with its parts, framed as RFC 2046 §5.1.1 says (and nodemailer writes it). */
function multipart(node: MimeNode, parts: string[]): string {
  // buildHeaders() picks the boundary, so it runs first.
  const headers = node.buildHeaders();
  const dash = `--${String(node.boundary)}`;
  return `${headers}\r\n\r\n${dash}\r\n${parts.join(`\r\n${dash}\r\n`)}\r\n${dash}--\r\n`;
}

/** An attachment: nodemailer writes its headers (Content-Type, filename, RFC 2231 for a non-ASCII name), the body is base64. */
function attachmentPart(parent: MimeNode, a: OutgoingMail['attachments'][number]): string {
  const node = parent.createChild(a.contentType, { filename: a.filename });
  node.setHeader('Content-Disposition', 'attachment');
  node.setHeader('Content-Transfer-Encoding', 'base64');
  return `${node.buildHeaders()}\r\n\r\n${base64Lines(a.content)}`;
}

/**
 * The message as one buffer, built synchronously before it takes a connection. nodemailer's
 * MailComposer streams every part through its own chain of Transform streams and timers (a
 * third of a millisecond of CPU per alert mail) and costs a socket write per small chunk when
 * it streams to the server; here nodemailer's MimeNode writes only the headers (address
 * lists, RFC 2047 subject, Date, Message-ID, MIME-Version, boundaries), the parts come from
 * encodeTextPart, and the layout is MailComposer's: multipart/alternative of text and HTML,
 * inside multipart/mixed when there are attachments.
 */
export function buildMessage(mail: OutgoingMail): Buffer {
  const mixed = mail.attachments.length > 0;
  const root = new MimeNode(mixed ? 'multipart/mixed' : 'multipart/alternative');
  root.addHeader(mail.headers);
  // Set after the custom headers, so these always win (as MailComposer does).
  root.setHeader('From', mail.from);
  root.setHeader('To', mail.to);
  if (mail.cc.length) root.setHeader('Cc', mail.cc);
  root.setHeader('In-Reply-To', mail.inReplyTo);
  root.setHeader('References', mail.references);
  root.setHeader('Subject', mail.subject);
  root.setHeader('Message-ID', mail.messageId);
  const alternatives = [encodeTextPart(mail.text, 'text/plain'), encodeTextPart(mail.html, 'text/html')];
  const message = mixed
    ? multipart(root, [multipart(root.createChild('multipart/alternative'), alternatives), ...mail.attachments.map((a) => attachmentPart(root, a))])
    : multipart(root, alternatives);
  return Buffer.from(message, 'utf8');
}
