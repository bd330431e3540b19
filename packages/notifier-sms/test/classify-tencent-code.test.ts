import { classifyTencentCode } from '../src/classify-tencent-code';

describe('classifyTencentCode', () => {
  it.each([
    ['Ok', 'ok', false],
    ['InternalError.Timeout', 'transient', false],
    ['InternalError.SomethingNew', 'transient', false],
    ['LimitExceeded.PhoneNumberThirtySecondLimit', 'transient', false],
    ['LimitExceeded.PhoneNumberOneHourLimit', 'transient', false],
    ['RequestLimitExceeded.IPLimitExceeded', 'transient', false],
    ['LimitExceeded.PhoneNumberDailyLimit', 'permanent', false],
    ['InvalidParameterValue.IncorrectPhoneNumber', 'permanent', false],
    ['FailedOperation.PhoneNumberInBlacklist', 'permanent', false],
    ['FailedOperation.InsufficientBalanceInSmsPackage', 'permanent', true],
    ['FailedOperation.TemplateIncorrectOrUnapproved', 'permanent', true],
    ['FailedOperation.SignatureIncorrectOrUnapproved', 'permanent', true],
    ['AuthFailure.SignatureFailure', 'permanent', true],
    ['AuthFailure.SecretIdNotFound', 'permanent', true],
    ['UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'permanent', true],
    ['InternalError.RestApiInterfaceNotExist', 'permanent', true],
    ['SomethingNobodyDocumented', 'permanent', false],
    // Codes come from the HTTP answer: Object.prototype's names are unknown codes, nothing more.
    ['constructor', 'permanent', false],
    ['__proto__', 'permanent', false],
  ])('%s → %s (config error: %s)', (code, kind, configError) => {
    const c = classifyTencentCode(code);
    expect(c.kind).toBe(kind);
    expect(c.configError).toBe(configError);
  });

  it('asks for a delay that suits the code', () => {
    expect(classifyTencentCode('LimitExceeded.PhoneNumberThirtySecondLimit').retryAfterMs).toBe(30_000);
    expect(classifyTencentCode('LimitExceeded.PhoneNumberOneHourLimit').retryAfterMs).toBeGreaterThanOrEqual(10 * 60_000);
    expect(classifyTencentCode('InternalError.Timeout').retryAfterMs).toBeLessThan(60_000);
    expect(classifyTencentCode('AuthFailure.SignatureFailure').retryAfterMs).toBeUndefined();
  });

  it('does not let a prefix swallow a longer name', () => {
    expect(classifyTencentCode('AuthFailureX').kind).toBe('permanent');
    expect(classifyTencentCode('AuthFailureX').configError).toBe(false);
  });
});
