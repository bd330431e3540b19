import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SmtpConfig } from '@alertgw/shared';

/** The little logging the sink needs (winston's logger fits). */
export interface SinkLogger {
  info(message: string, meta?: Record<string, unknown>): void;
}

/** A running local SMTP sink and the SMTP settings that reach it. */
export interface SmtpSink {
  port: number;
  /** SMTP settings for the real SMTP transport, pointing at the sink. */
  smtp: SmtpConfig;
  close(): Promise<void>;
}

/** File name stem for a mail: its Message-ID made safe for any file system. */
export function sinkFileStem(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_').slice(0, 150) || `mail-${Date.now()}`;
}

/** Largest mail the sink keeps; an alert mail is tens of KB. */
const MAX_MAIL_BYTES = 10 * 1024 * 1024;

/**
 * The local mail server for running without one: a real SMTP server (smtp-server) on
 * loopback only, so mail goes through the same nodemailer SMTP path as in production. Each
 * mail it receives is written as `<message-id>.eml` (the bytes as received) and
 * `<message-id>.html` (its HTML part) under `dir`, and its path is logged. Named after the
 * Message-ID, so a retried task overwrites its file instead of adding one.
 */
export async function startSmtpSink(opts: { dir: string; logger: SinkLogger; port?: number }): Promise<SmtpSink> {
  await mkdir(opts.dir, { recursive: true });
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    // Loopback only, so no TLS and no AUTH to negotiate.
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: MAX_MAIL_BYTES,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then(async (parsed) => {
            const stem = join(opts.dir, sinkFileStem(parsed.messageId ?? ''));
            await writeFile(`${stem}.eml`, raw);
            if (parsed.html) await writeFile(`${stem}.html`, parsed.html);
            opts.logger.info('mail written to sink', { path: `${stem}.eml`, html: `${stem}.html`, subject: parsed.subject });
            callback(null, `queued as ${sinkFileStem(parsed.messageId ?? '')}`);
          })
          .catch((err: Error) => callback(Object.assign(new Error(`sink could not store the mail: ${err.message}`), { responseCode: 451 })));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    smtp: {
      host: '127.0.0.1',
      port,
      secure: false,
      requireTLS: false,
      tls: { rejectUnauthorized: true },
      connectionTimeoutMs: 5000,
      greetingTimeoutMs: 5000,
      socketTimeoutMs: 30_000,
      pool: { maxConnections: 2, rateDeltaMs: 1000, rateLimit: 0 },
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
