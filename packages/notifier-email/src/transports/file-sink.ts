import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailTransport, OutgoingMail, TransportReceipt } from './types';

/** The little logging this transport needs (winston's logger fits). */
export interface SinkLogger {
  info(message: string, meta?: Record<string, unknown>): void;
}

/** File name stem for a mail: its Message-ID made safe for any file system. */
export function sinkFileStem(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 150);
}

/**
 * Local sink for running without an SMTP server: writes each mail as `<message-id>.eml` (the
 * exact RFC 5322 message nodemailer would send) and `<message-id>.html` under `dir`, and logs the
 * path. Named after the Message-ID, so a retried task overwrites its file instead of adding one.
 */
export function createFileSinkTransport(opts: { dir: string; logger: SinkLogger }): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(mail: OutgoingMail, signal: AbortSignal): Promise<TransportReceipt> {
      signal.throwIfAborted();
      const info = await composer.sendMail({
        from: mail.from,
        to: mail.to,
        cc: mail.cc,
        envelope: { from: mail.from, to: mail.envelopeTo },
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        headers: mail.headers,
        attachments: mail.attachments,
      });
      await mkdir(opts.dir, { recursive: true });
      const stem = join(opts.dir, sinkFileStem(mail.messageId));
      await writeFile(`${stem}.eml`, info.message as Buffer);
      await writeFile(`${stem}.html`, mail.html);
      opts.logger.info('mail written to sink', { path: `${stem}.eml`, html: `${stem}.html`, messageId: mail.messageId });
      return { messageId: mail.messageId, response: `250 written to ${stem}.eml`, accepted: [...mail.envelopeTo], rejected: [] };
    },
    async verify() {
      await mkdir(opts.dir, { recursive: true });
    },
    close() {},
  };
}
