import winston from 'winston';

/** Keys whose values never reach a log line, whatever nests them. */
const SECRET_KEY = /(secret|password|passwd|pass$|token|authorization|credential|apikey|api_key|cookie)/i;
/** Phone-looking numbers: E.164 with "+" (8–15 digits), or 11–15 bare digits (a Chinese mobile is 11). */
const PHONE = /(\+\d{8,15}|\b\d{11,15})\b/g;

/** Masks a phone number to country/carrier prefix and last 4 digits: +8613812345678 → +86138****5678. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.length < 8) return '****';
  const plus = phone.trim().startsWith('+') ? '+' : '';
  // Hide at least 4 middle digits whatever the length: +8613812345678 → +86138****5678, +14155550123 → +141****0123.
  const keep = Math.max(2, Math.min(5, digits.length - 8));
  return `${plus}${digits.slice(0, keep)}****${digits.slice(-4)}`;
}

/** Masks every phone-like number inside free text. */
export function maskPhonesIn(text: string): string {
  return text.replace(PHONE, (m) => maskPhone(m));
}

/** Deep copy of `value` with secret-named keys replaced and phone numbers masked, in keys (results are keyed by number) and values. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[deep]';
  if (typeof value === 'string') return maskPhonesIn(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: maskPhonesIn(value.message), code: (value as { code?: unknown }).code };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[maskPhonesIn(k)] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

const redactFormat = winston.format((info) => {
  // winston keeps level/message/meta on one object; symbols (level, splat) are left alone.
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    info[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(info[key]);
  }
  return info;
});

/** The logger type every package uses. */
export type Logger = winston.Logger;

/**
 * A JSON winston logger for one service that redacts secrets and masks phone numbers
 * before anything is written. Pass `stream` to capture output (tests).
 */
export function createLogger(opts: { service: string; level?: string; stream?: NodeJS.WritableStream }): Logger {
  const transport = opts.stream
    ? new winston.transports.Stream({ stream: opts.stream })
    : new winston.transports.Console();
  return winston.createLogger({
    level: opts.level ?? 'info',
    defaultMeta: { service: opts.service },
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [transport],
  });
}
