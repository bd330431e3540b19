import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { buildMessage, encodeTextPart } from '../../src/transports/build-message';
import type { OutgoingMail } from '../../src/transports/types';

const mail = (html: string, text: string, extra: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: 'alertgw@example.com',
  to: ['oncall@example.com'],
  cc: [],
  envelopeTo: ['oncall@example.com'],
  subject: '[FIRING:1] 磁盘 <b>',
  html,
  text,
  messageId: '<t1@alertgw>',
  inReplyTo: '<g@alertgw>',
  references: '<g@alertgw>',
  headers: { 'Auto-Submitted': 'auto-generated' },
  attachments: [],
  ...extra,
});

const encodingOf = (part: string) => /Content-Transfer-Encoding: (\S+)/.exec(part)?.[1];
const bodyOf = (part: string) => part.slice(part.indexOf('\r\n\r\n') + 4);

describe('encodeTextPart', () => {
  it('sends printable ASCII as it is, with CRLF line ends', () => {
    const part = encodeTextPart('<p style="color:#c62828;">a=b</p>\n.\n', 'text/html');
    expect(encodingOf(part)).toBe('7bit');
    expect(part).toMatch(/^Content-Type: text\/html; charset=utf-8\r\n/);
    expect(bodyOf(part)).toBe('<p style="color:#c62828;">a=b</p>\r\n.\r\n');
  });

  it('takes base64 for non-ASCII, a bare CR, a control character or a line over 998 octets', () => {
    for (const content of ['CPU 使用率超过 95%', 'a\rb', 'bell\u0007', `${'x'.repeat(999)}\nshort`]) {
      const part = encodeTextPart(content, 'text/plain');
      expect(encodingOf(part)).toBe('base64');
      const lines = bodyOf(part).split('\r\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(76);
      expect(Buffer.from(lines.join(''), 'base64').toString('utf8')).toBe(content);
    }
    // Exactly 998 octets is still a valid line.
    expect(encodingOf(encodeTextPart('y'.repeat(998), 'text/plain'))).toBe('7bit');
  });

  it('for any text: 7bit exactly when every character is printable ASCII, tab or LF and every line fits; the text back either way', () => {
    const char = fc.constantFrom('a', ' ', '\t', '\n', '\r', '.', '\u0000', '\u007f', '~', 'é', '服');
    const text = fc.oneof(
      fc.string({ unit: char, maxLength: 40 }),
      fc.tuple(fc.integer({ min: 990, max: 1005 }), fc.string({ unit: char, maxLength: 4 })).map(([n, tail]) => 'x'.repeat(n) + tail),
    );
    fc.assert(
      fc.property(text, (content) => {
        const part = encodeTextPart(content, 'text/plain');
        const fits = /^[\t\n\x20-\x7e]*$/.test(content) && content.split('\n').every((line) => line.length <= 998);
        expect(encodingOf(part)).toBe(fits ? '7bit' : 'base64');
        const body = bodyOf(part);
        expect(fits ? body.split('\r\n').join('\n') : Buffer.from(body.split('\r\n').join(''), 'base64').toString('utf8')).toBe(content);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('buildMessage', () => {
  it('builds a message a mail reader decodes to exactly the rendered parts', async () => {
    const cases = [
      ['<p>ASCII only &middot; &lt;script&gt;</p>\n', 'plain\n'],
      ['<p>磁盘 · 已满</p>\n', 'line one\n\u00e9t\u00e9\n'],
      [`<p>${'long '.repeat(300)}</p>`, '.leading dot\n'],
    ];
    for (const [html, text] of cases) {
      const parsed = await simpleParser(buildMessage(mail(html, text)));
      expect(parsed.html).toBe(html);
      expect(parsed.text).toBe(text);
      expect(parsed.subject).toBe('[FIRING:1] 磁盘 <b>');
      expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    }
  });

  it('writes the address, threading and MIME headers a reader needs, and no Cc when there is none', async () => {
    const withCc = await simpleParser(buildMessage(mail('<p>x</p>', 'x', { to: ['a@example.com', 'Bö <b@example.com>'], cc: ['c@example.com'] })));
    expect(withCc.to).toMatchObject({ value: [{ address: 'a@example.com' }, { address: 'b@example.com', name: 'Bö' }] });
    expect(withCc.cc).toMatchObject({ value: [{ address: 'c@example.com' }] });
    expect(withCc.from).toMatchObject({ value: [{ address: 'alertgw@example.com' }] });
    expect([withCc.messageId, withCc.inReplyTo, withCc.references]).toEqual(['<t1@alertgw>', '<g@alertgw>', '<g@alertgw>']);
    expect(withCc.date).toBeInstanceOf(Date);
    expect(withCc.headers.get('mime-version')).toBe('1.0');
    const raw = buildMessage(mail('<p>x</p>', 'x')).toString('utf8');
    expect(raw).not.toMatch(/^Cc:/im);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative;/m);
  });

  it('keeps the group JSON as an attachment beside the two parts', async () => {
    const json = JSON.stringify({ alerts: [{ labels: { alertname: 'Disk' } }] });
    const raw = buildMessage(mail('<p>x</p>', 'x', { attachments: [{ filename: 'alert-group.json', contentType: 'application/json', content: json }] }));
    const parsed = await simpleParser(raw);
    expect(parsed.html).toBe('<p>x</p>');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString('utf8')])).toEqual([
      ['alert-group.json', 'application/json', json],
    ]);
  });
});
