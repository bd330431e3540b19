import { classifyError, GatewayError } from '@alertgw/shared';
import { classifySmtpError as toGatewayError, isSlowDown, SLOW_DOWN_RETRY_MS } from '../src/classify-smtp-error';
import { isOverShare, OVER_SHARE } from '../src/transports/connection-budget';

/** The worker's verdict on what the SMTP transport throws for a nodemailer error. */
const classifySmtpError = (e: unknown) => classifyError(toGatewayError(e));

const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'x')), fields);

describe('classifySmtpError', () => {
  it.each([
    ['connection refused', { code: 'ECONNECTION' }, true, 'ECONNECTION'],
    ['connection timeout', { code: 'ETIMEDOUT' }, true, 'ETIMEDOUT'],
    ['socket reset', { code: 'ESOCKET' }, true, 'ESOCKET'],
    ['dns failure', { code: 'EDNS' }, true, 'EDNS'],
    ['garbled reply', { code: 'EPROTOCOL' }, true, 'EPROTOCOL'],
    ['421 at greeting', { code: 'ECONNECTION', responseCode: 421 }, true, 'smtp-421'],
    ['451 after DATA', { code: 'EMESSAGE', responseCode: 451 }, true, 'smtp-451'],
    ['554 after DATA', { code: 'EMESSAGE', responseCode: 554 }, false, 'smtp-554'],
    ['452 at MAIL FROM', { code: 'EENVELOPE', responseCode: 452 }, true, 'smtp-452'],
    ['553 at MAIL FROM', { code: 'EENVELOPE', responseCode: 553 }, false, 'smtp-553'],
    ['invalid address (local)', { code: 'EENVELOPE' }, false, 'EENVELOPE'],
    ['message too large (local)', { code: 'EMESSAGE' }, false, 'EMESSAGE'],
    ['454 temporary auth failure', { code: 'EAUTH', responseCode: 454 }, true, 'EAUTH'],
    ['454 TLS not available now', { code: 'ETLS', responseCode: 454 }, true, 'ETLS'],
    ['TLS handshake reset', { code: 'ETLS', message: 'Error initiating TLS - socket hang up' }, true, 'ETLS'],
    ['unknown error', {}, true, 'unknown'],
    ['plain 5xx with unknown code', { code: 'EWHATEVER', responseCode: 550 }, false, 'smtp-550'],
  ])('%s', (_name, fields, retryable, code) => {
    const c = classifySmtpError(err(fields));
    expect(c).toMatchObject({ retryable, code });
    expect(c.configError).toBeFalsy();
  });

  it('treats a refused login as a permanent configuration error', () => {
    expect(classifySmtpError(err({ code: 'EAUTH', responseCode: 535 }))).toEqual({ retryable: false, code: 'EAUTH', configError: true });
    expect(classifySmtpError(err({ code: 'EAUTH', message: 'Missing credentials for "PLAIN"' }))).toMatchObject({ configError: true });
  });

  it('treats a certificate that does not verify as a permanent configuration error', () => {
    const c = classifySmtpError(err({ code: 'ESOCKET', message: 'self-signed certificate' }));
    expect(c).toEqual({ retryable: false, code: 'ETLS-CERT', configError: true });
    expect(classifySmtpError(err({ code: 'ETLS', message: "Hostname/IP does not match certificate's altnames" }))).toMatchObject({
      retryable: false,
      configError: true,
    });
  });

  it('treats a server refusing STARTTLS that config requires as a configuration error', () => {
    expect(classifySmtpError(err({ code: 'ETLS', responseCode: 502, command: 'STARTTLS' }))).toEqual({
      retryable: false,
      code: 'ETLS',
      configError: true,
    });
  });

  it('passes GatewayErrors from the HTTP transport and the renderer through', () => {
    const transient = new GatewayError('SEND_TRANSIENT', 'x', { retryable: true, details: { providerCode: 'http-503', retryAfterMs: 2000 } });
    expect(toGatewayError(transient)).toBe(transient);
    expect(classifySmtpError(transient)).toEqual({ retryable: true, code: 'http-503', retryAfterMs: 2000 });
    expect(classifySmtpError(new GatewayError('SEND_CONFIG', 'x', { details: { providerCode: 'http-401' } }))).toEqual({
      retryable: false,
      code: 'http-401',
      configError: true,
    });
    expect(classifySmtpError(new GatewayError('TEMPLATE_INVALID', 'x'))).toMatchObject({ retryable: false, configError: true });
  });

  describe('421 is "slow down", not a failure', () => {
    it.each([
      ['at the greeting (a relay over its connection limit)', { code: 'EPROTOCOL', responseCode: 421, message: 'Invalid greeting. response=421 4.7.0 Too many connections' }],
      ['after MAIL FROM (a rate limit)', { code: 'EENVELOPE', responseCode: 421 }],
      ['as the server hangs up', { code: 'ECONNECTION', responseCode: 421 }],
    ])('%s: retryable soon, and recognised by isSlowDown', (_name, fields) => {
      const gatewayError = toGatewayError(err(fields));
      expect(classifyError(gatewayError)).toEqual({ retryable: true, code: 'smtp-421', retryAfterMs: SLOW_DOWN_RETRY_MS });
      expect(isSlowDown(gatewayError)).toBe(true);
    });

    it('a connection the shared budget refused is retryable with the budget\'s reason, also after nodemailer renamed it ESOCKET', () => {
      const refused = toGatewayError(err({ code: 'ESOCKET', budgetCode: OVER_SHARE, message: 'this replica holds its share' }));
      expect(classifyError(refused)).toEqual({ retryable: true, code: OVER_SHARE });
      expect(isOverShare(refused)).toBe(true);
      expect(isSlowDown(refused)).toBe(false);
    });

    it('other transient replies are not "slow down"', () => {
      expect(isSlowDown(toGatewayError(err({ code: 'EMESSAGE', responseCode: 451 })))).toBe(false);
      expect(isSlowDown(toGatewayError(err({ code: 'ECONNECTION' })))).toBe(false);
    });
  });
});
