import type Mail from 'nodemailer/lib/mailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMail } from './types';

/** RFC 5322 §2.1.1: a line is at most 998 octets, CRLF excluded. */
const MAX_LINE = 998;
/** RFC 2045 §6.8: base64 lines of at most 76 characters. */
const BASE64_LINE = 76;

// Printable ASCII, tab and LF: text that can go as 7bit once LF becomes CRLF. A CR is left out,
// so a bare CR can never reach the wire (it would take the base64 path).
const NOT_7BIT = /[^\t\n\x20-\x7e]/;

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
  if (!NOT_7BIT.test(content)) {
    const lines = content.split('\n');
    if (lines.every((line) => line.length <= MAX_LINE)) return `${head}7bit\r\n\r\n${lines.join('\r\n')}`;
  }
  const b64 = Buffer.from(content, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += BASE64_LINE) lines.push(b64.slice(i, i + BASE64_LINE));
  return `${head}base64\r\n\r\n${lines.join('\r\n')}`;
}

// nodemailer takes a prebuilt `raw` node for html and text as for attachments (MailComposer
// checks `html.raw`); its type definitions only declare `raw` on attachments.
const rawPart = (raw: string) => ({ raw }) as Mail.AttachmentLike;

/**
 * The message as one buffer, built before it takes a connection: nodemailer streaming it part by
 * part costs a socket write per small chunk (hundreds per alert mail), and this way the
 * connection is held only for the SMTP exchange. The HTML and text parts come prebuilt
 * (encodeTextPart); nodemailer writes the headers, the multipart frame and any attachment.
 */
export function buildMessage(mail: OutgoingMail): Promise<Buffer> {
  return new MailComposer({
    from: mail.from,
    to: mail.to,
    cc: mail.cc,
    subject: mail.subject,
    html: rawPart(encodeTextPart(mail.html, 'text/html')),
    text: rawPart(encodeTextPart(mail.text, 'text/plain')),
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    headers: mail.headers,
    attachments: mail.attachments,
  })
    .compile()
    .build();
}
