import { GatewayError } from '../../src/errors';
import { classifyError } from '../../src/worker/classify-error';

describe('classifyError', () => {
  it("reads the verdict and the provider's code off a GatewayError", () => {
    const auth = new GatewayError('SEND_CONFIG', 'Tencent SendSms failed', { details: { providerCode: 'AuthFailure.SignatureFailure' } });
    expect(classifyError(auth)).toEqual({ retryable: false, code: 'AuthFailure.SignatureFailure', configError: true });
    const timeout = new GatewayError('SEND_TRANSIENT', 'x', { retryable: true, details: { providerCode: 'InternalError.Timeout', retryAfterMs: 10_000 } });
    expect(classifyError(timeout)).toEqual({ retryable: true, code: 'InternalError.Timeout', retryAfterMs: 10_000 });
    expect(classifyError(new GatewayError('TEMPLATE_INVALID', 'x'))).toEqual({ retryable: false, code: 'TEMPLATE_INVALID', configError: true });
    expect(classifyError(new GatewayError('SEND_PERMANENT', 'x'))).toEqual({ retryable: false, code: 'SEND_PERMANENT' });
  });

  it('treats Redis trouble, aborts and the unexpected as transient, in one spelling', () => {
    expect(classifyError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toMatchObject({ retryable: true, code: 'REDIS_UNAVAILABLE' });
    expect(classifyError(new TypeError('x is undefined'))).toMatchObject({ retryable: true, code: 'UNEXPECTED' });
    expect(classifyError(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toEqual({ retryable: true, code: 'ABORTED' });
    expect(classifyError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }))).toEqual({ retryable: true, code: 'ABORTED' });
  });

  it('calls only a Redis that cannot serve an outage, not a reply that will come back the same', () => {
    const busy = Object.assign(new Error('BUSY Redis is busy running a script'), { name: 'ReplyError' });
    const wrongType = Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' });
    expect(classifyError(busy)).toMatchObject({ retryable: true, code: 'REDIS_UNAVAILABLE' });
    expect(classifyError(wrongType)).toMatchObject({ retryable: true, code: 'UNEXPECTED' });
  });
});
