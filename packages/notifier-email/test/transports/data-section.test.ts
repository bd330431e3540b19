import fc from 'fast-check';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import { dataSection } from '../../src/transports/data-section';

/** nodemailer's own DATA encoding of a message given in one chunk: what dataSection must equal. */
function viaDataStream(message: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = new DataStream();
    const out: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => out.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(out)));
    stream.once('error', reject);
    stream.end(message);
  });
}

describe('dataSection', () => {
  it.each([
    ['nothing', ''],
    ['CRLF lines', 'a: b\r\n\r\nbody\r\n'],
    ['no final line end', 'a: b\r\n\r\nbody'],
    ['a final CR', 'body\r'],
    ['bare LFs', 'one\ntwo\n\nthree'],
    ['dot lines', '.first\r\n..second\r\n.\r\nx\n.y'],
    ['a lone dot line, then the end', 'x\r\n.\r\n'],
    ['a leading LF then a dot', '\n.\n'],
  ])('%s: the same bytes as nodemailer', async (_name, text) => {
    const message = Buffer.from(text, 'latin1');
    expect(dataSection(message).toString('latin1')).toBe((await viaDataStream(message)).toString('latin1'));
  });

  it('the same bytes as nodemailer for any message', async () => {
    const bytes = fc.array(fc.constantFrom(0x2e, 0x0d, 0x0a, 0x61, 0x00, 0xff), { maxLength: 64 });
    await fc.assert(
      fc.asyncProperty(bytes, async (list) => {
        const message = Buffer.from(list);
        expect(dataSection(message).equals(await viaDataStream(message))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives back a CRLF message without dot lines unchanged, ended by the final dot', () => {
    const message = Buffer.from('Subject: x\r\n\r\n<p>hello</p>\r\n');
    expect(dataSection(message).toString()).toBe('Subject: x\r\n\r\n<p>hello</p>\r\n.\r\n');
  });
});
