import { PassThrough } from 'node:stream';
import { createLogger, maskPhone, maskPhonesIn, redact } from '../src/log';

describe('log redaction', () => {
  it.each([
    ['+8613812345678', '+86138****5678'],
    ['+14155550123', '+141****0123'],
    ['13812345678', '138****5678'],
    ['+442071838750', '+4420****8750'],
  ])('masks %s as %s, hiding at least 4 digits', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it('masks phones inside text but leaves short ids (an SmsSdkAppId) alone', () => {
    expect(maskPhonesIn('app 1400000000 sent to +8613812345678')).toBe('app 1400000000 sent to +86138****5678');
  });

  it('replaces secret-named keys at any depth', () => {
    expect(redact({ a: { secretKey: 'x', nested: [{ password: 'p', token: 't', ok: 1 }] }, Authorization: 'Bearer z' })).toEqual({
      a: { secretKey: '[redacted]', nested: [{ password: '[redacted]', token: '[redacted]', ok: 1 }] },
      Authorization: '[redacted]',
    });
  });

  it('masks phone numbers used as keys, as task results and timeline events are keyed', () => {
    const masked = redact({ results: { '+8613812345678': { status: 'failed', message: 'to 8613812345678 refused' } } });
    expect(masked).toEqual({ results: { '+86138****5678': { status: 'failed', message: 'to 86138****5678 refused' } } });
  });

  it('a logger line never carries a secret or a full phone number', async () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (b) => lines.push(String(b)));
    const log = createLogger({ service: 'test', stream });
    log.info('sending to +8613812345678', { secretId: 'AKIDfake', request: { PhoneNumberSet: ['+8613812345678'] }, err: new Error('bad +8613812345678') });
    await new Promise((r) => setImmediate(r));
    const out = lines.join('');
    expect(out).toContain('+86138****5678');
    expect(out).not.toContain('13812345678');
    expect(out).not.toContain('AKIDfake');
  });
});
