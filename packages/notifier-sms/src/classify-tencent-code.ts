/**
 * How one Tencent Cloud SMS code is handled. Sources, both for SendSms 2021-01-11
 * (https://cloud.tencent.com/document/api/382/55981):
 * - SMS send codes (per number in SendStatusSet, or as the call's Error.Code):
 *   https://cloud.tencent.com/document/api/382/59177
 * - API 3.0 common codes (AuthFailure.*, RequestLimitExceeded, InternalError …):
 *   https://cloud.tencent.com/document/api/382/52075 (English: https://www.tencentcloud.com/document/api/382/40474)
 */
export interface TencentCodeClass {
  kind: 'ok' | 'transient' | 'permanent';
  /**
   * What a permanent failure with this code spoils: this number (or this message) only, every
   * send with this template and sign, or every send of this account (keys, app, balance,
   * endpoint). Beyond one number it is a configuration error: every task will hit it.
   */
  scope: 'number' | 'template' | 'account';
  /** For transient codes: how long waiting makes sense before trying that number again. */
  retryAfterMs?: number;
}

/** Whether a code means the configuration is wrong (a permanent failure beyond one number). */
export function isConfigError(cls: TencentCodeClass): boolean {
  return cls.kind === 'permanent' && cls.scope !== 'number';
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const transient = (retryAfterMs: number, scope: TencentCodeClass['scope'] = 'number'): TencentCodeClass => ({ kind: 'transient', scope, retryAfterMs });
const permanent: TencentCodeClass = { kind: 'permanent', scope: 'number' };
const template: TencentCodeClass = { kind: 'permanent', scope: 'template' };
const account: TencentCodeClass = { kind: 'permanent', scope: 'account' };

/** Exact codes. Anything not listed falls back to PREFIXES, then to "permanent". */
const CODES: Record<string, TencentCodeClass> = {
  Ok: { kind: 'ok', scope: 'number' },

  // Transient: Tencent or the carrier hiccupped; the same request can succeed later.
  // https://cloud.tencent.com/document/api/382/59177 (InternalError.*, 60008 timeout)
  'InternalError.Timeout': transient(10 * SECOND, 'account'),
  'InternalError.SendAndRecvFail': transient(10 * SECOND, 'account'),
  'InternalError.OtherError': transient(30 * SECOND, 'account'),
  'InternalError.UnknownError': transient(30 * SECOND, 'account'),
  'InternalError.ParseBackendResponseFail': transient(30 * SECOND, 'account'),
  // Our clock is >10 min off Tencent's; NTP usually fixes it, so wait longer than usual.
  'InternalError.RequestTimeException': transient(5 * MINUTE, 'account'),
  // Not a hiccup: the API path is wrong (a bad endpoint override). Retrying cannot help.
  'InternalError.RestApiInterfaceNotExist': account,

  // Transient: per-number rate limits that clear within minutes.
  // https://cloud.tencent.com/document/api/382/59177 (LimitExceeded.*)
  'LimitExceeded.PhoneNumberThirtySecondLimit': transient(30 * SECOND),
  'LimitExceeded.PhoneNumberOneHourLimit': transient(15 * MINUTE),
  'LimitExceeded.DeliveryFrequencyLimit': transient(1 * MINUTE),
  // API 3.0 request-rate limits: https://cloud.tencent.com/document/api/382/52075
  RequestLimitExceeded: transient(2 * SECOND, 'account'),
  'RequestLimitExceeded.GlobalRegionUinLimitExceeded': transient(2 * SECOND, 'account'),
  'RequestLimitExceeded.IPLimitExceeded': transient(2 * SECOND, 'account'),
  InternalError: transient(10 * SECOND, 'account'),

  // Permanent for this number: invalid, blacklisted, or capped for the day.
  // https://cloud.tencent.com/document/api/382/59177
  'InvalidParameterValue.IncorrectPhoneNumber': permanent,
  'FailedOperation.PhoneNumberParseFail': permanent,
  'FailedOperation.PhoneNumberInBlacklist': permanent,
  'LimitExceeded.PhoneNumberDailyLimit': permanent,
  'LimitExceeded.PhoneNumberSameContentDailyLimit': permanent,
  'UnsupportedOperation.UnsupportedRegion': permanent,
  // Permanent for this content: the carrier refuses these words.
  'FailedOperation.ContainSensitiveWord': permanent,
  'InvalidParameter.DirtyWordFound': permanent,

  // Configuration: the SMS package or the app's daily caps (account), or the template, the
  // sign or the parameters' shape (template) are wrong, and will be for every task until
  // someone fixes them. https://cloud.tencent.com/document/api/382/59177
  'FailedOperation.InsufficientBalanceInSmsPackage': account,
  'UnauthorizedOperation.ServiceSuspendDueToArrears': account,
  'LimitExceeded.AppDailyLimit': account,
  'LimitExceeded.DailyLimit': account,
  'LimitExceeded.AppCountryOrRegionDailyLimit': account,
  'LimitExceeded.AppCountryOrRegionInBlacklist': account,
  'LimitExceeded.AppGlobalDailyLimit': account,
  'LimitExceeded.AppMainlandChinaDailyLimit': account,
  'FailedOperation.TemplateIncorrectOrUnapproved': template,
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': template,
  'FailedOperation.TemplateUnapprovedOrNotExist': template,
  'FailedOperation.TemplateIdNotExist': template,
  'FailedOperation.MissingTemplateList': template,
  'FailedOperation.SignatureIncorrectOrUnapproved': template,
  'FailedOperation.MissingSignature': template,
  'FailedOperation.MissingSignatureList': template,
  'FailedOperation.SignIdNotExist': template,
  'FailedOperation.MarketingSendTimeConstraint': template,
  'InvalidParameterValue.SdkAppIdNotExist': account,
  'InvalidParameterValue.TemplateParameterLengthLimit': template,
  'InvalidParameterValue.TemplateParameterFormatError': template,
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': template,
  'InvalidParameterValue.ContentLengthLimit': template,
  'UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone': template,
  'UnsupportedOperation.GlobalTemplateToChineseMainlandPhone': template,
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber': template,
  // API 3.0 common codes that mean a wrong endpoint, version or network policy:
  // https://cloud.tencent.com/document/api/382/52075
  ActionOffline: account,
  InvalidAction: account,
  NoSuchVersion: account,
  NoSuchProduct: account,
  IpInBlacklist: account,
  IpNotInWhitelist: account,
};

/**
 * Families by prefix, for codes Tencent adds later. AuthFailure.* (wrong SecretId/Key,
 * expired signature, CAM denial) and UnauthorizedOperation.* (app not ours, IP not
 * allow-listed) are configuration: https://cloud.tencent.com/document/api/382/52075.
 * Other InternalError.* are Tencent's own failures and worth a retry.
 */
const PREFIXES: Array<[string, TencentCodeClass]> = [
  ['AuthFailure', account],
  ['UnauthorizedOperation', account],
  ['InternalError', transient(30 * SECOND, 'account')],
  ['RequestLimitExceeded', transient(2 * SECOND, 'account')],
];

/**
 * Classifies a Tencent SMS code (per-number `Code` or the call's `Error.Code`). Unknown
 * codes are permanent: an unknown refusal retried by every replica is how retry storms
 * start, and the code is recorded for a human to look at.
 */
export function classifyTencentCode(code: string): TencentCodeClass {
  // Own keys only: a code of "constructor" must not find Object.prototype's.
  if (Object.hasOwn(CODES, code)) return CODES[code]!;
  for (const [prefix, cls] of PREFIXES) {
    if (code === prefix || code.startsWith(`${prefix}.`)) return cls;
  }
  return permanent;
}
