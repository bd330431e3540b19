import type { SmtpConfig } from '@alertgw/shared';

/** SMTP config for a plain local test server on `port` (short timeouts, a small pool). */
export function localSmtpConfig(port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: false,
    tls: { rejectUnauthorized: true },
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 5000,
    pool: { maxConnections: 2, rateDeltaMs: 1000, rateLimit: 0 },
    ...overrides,
  };
}
