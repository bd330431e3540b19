import { GatewayError } from '@alertgw/shared';
import { classifySmsError } from '../src/classify-error';

describe('classifySmsError', () => {
  it('reads the verdict and the Tencent code off a GatewayError', () => {
    const auth = new GatewayError('SEND_CONFIG', 'Tencent SendSms failed', { details: { tencentCode: 'AuthFailure.SignatureFailure' } });
    expect(classifySmsError(auth)).toEqual({ retryable: false, code: 'AuthFailure.SignatureFailure', configError: true });
    const timeout = new GatewayError('SEND_TRANSIENT', 'x', { retryable: true, details: { tencentCode: 'InternalError.Timeout', retryAfterMs: 10_000 } });
    expect(classifySmsError(timeout)).toEqual({ retryable: true, code: 'InternalError.Timeout', retryAfterMs: 10_000 });
  });

  it('treats Redis trouble and the unexpected as transient', () => {
    expect(classifySmsError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toMatchObject({ retryable: true, code: 'REDIS_UNAVAILABLE' });
    expect(classifySmsError(new TypeError('x is undefined'))).toMatchObject({ retryable: true, code: 'UNEXPECTED' });
  });

  it('calls only a Redis that cannot serve an outage, not a reply that will come back the same', () => {
    const busy = Object.assign(new Error('BUSY Redis is busy running a script'), { name: 'ReplyError' });
    const wrongType = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    expect(classifySmsError(busy)).toMatchObject({ retryable: true, code: 'REDIS_UNAVAILABLE' });
    expect(classifySmsError(wrongType)).toMatchObject({ retryable: true, code: 'UNEXPECTED' });
  });
});
