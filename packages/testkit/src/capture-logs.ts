import { PassThrough } from 'node:stream';
import winston from 'winston';
import type { Logger } from '@alertgw/shared';

/**
 * A JSON logger that writes every line to `lines`, with no redaction at all: what the
 * channel logs must already be free of numbers and secrets.
 */
export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.combine(winston.format.errors({ stack: false }), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}
