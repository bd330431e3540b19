import { classifyTencentCode, isConfigError } from '../src/classify-tencent-code';

describe('classifyTencentCode', () => {
  it.each([
    ['Ok', 'ok', 'number'],
    ['InternalError.Timeout', 'transient', 'account'],
    ['InternalError.SomethingNew', 'transient', 'account'],
    ['LimitExceeded.PhoneNumberThirtySecondLimit', 'transient', 'number'],
    ['LimitExceeded.PhoneNumberOneHourLimit', 'transient', 'number'],
    ['RequestLimitExceeded.IPLimitExceeded', 'transient', 'account'],
    ['LimitExceeded.PhoneNumberDailyLimit', 'permanent', 'number'],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'permanent', 'number'],
    ['FailedOperation.PhoneNumberInBlacklist', 'permanent', 'number'],
    ['FailedOperation.InsufficientBalanceInSmsPackage', 'permanent', 'account'],
    ['FailedOperation.TemplateIncorrectOrUnapproved', 'permanent', 'template'],
    ['FailedOperation.SignatureIncorrectOrUnapproved', 'permanent', 'template'],
    ['AuthFailure.SignatureFailure', 'permanent', 'account'],
    ['AuthFailure.SecretIdNotFound', 'permanent', 'account'],
    ['UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'permanent', 'account'],
    ['InternalError.RestApiInterfaceNotExist', 'permanent', 'account'],
    ['SomethingNobodyDocumented', 'permanent', 'number'],
    // Codes come from the HTTP answer: Object.prototype's names are unknown codes, nothing more.
    ['constructor', 'permanent', 'number'],
    ['__proto__', 'permanent', 'number'],
  ])('%s → %s (scope: %s)', (code, kind, scope) => {
    const c = classifyTencentCode(code);
    expect(c.kind).toBe(kind);
    expect(c.scope).toBe(scope);
    // A refusal beyond one number is a configuration error: every task would hit it.
    expect(isConfigError(c)).toBe(kind === 'permanent' && scope !== 'number');
  });

  it('asks for a delay that suits the code', () => {
    expect(classifyTencentCode('LimitExceeded.PhoneNumberThirtySecondLimit').retryAfterMs).toBe(30_000);
    expect(classifyTencentCode('LimitExceeded.PhoneNumberOneHourLimit').retryAfterMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(classifyTencentCode('InternalError.Timeout').retryAfterMs).toBeLessThan(60_000);
    expect(classifyTencentCode('AuthFailure.SignatureFailure').retryAfterMs).toBeUndefined();
  });

  it('does not let a prefix swallow a longer name', () => {
    expect(classifyTencentCode('AuthFailureX').kind).toBe('permanent');
    expect(isConfigError(classifyTencentCode('AuthFailureX'))).toBe(false);
  });
});
