/**
 * How one Tencent Cloud SMS code is handled. Sources, both for SendSms 2021-01-11:
 * - SMS codes (per number in SendStatusSet, or as the call's Error.Code):
 *   https://cloud.tencent.com/document/product/382/59177 (English: https://www.tencentcloud.com/document/product/382/43546)
 * - API 3.0 common codes (AuthFailure.*, RequestLimitExceeded, InternalError …):
 *   https://cloud.tencent.com/document/api/382/52075
 */
export interface TencentCodeClass {
  kind: 'ok' | 'transient' | 'permanent';
  /** The configuration (keys, app, template, sign, package) is wrong: every task will hit it. */
  configError: boolean;
  /** For transient codes: how long waiting makes sense before trying that number again. */
  retryAfterMs?: number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const transient = (retryAfterMs: number): TencentCodeClass => ({ kind: 'transient', configError: false, retryAfterMs });
const permanent: TencentCodeClass = { kind: 'permanent', configError: false };
const config: TencentCodeClass = { kind: 'permanent', configError: true };

/** Exact codes. Anything not listed falls back to PREFIXES, then to "permanent". */
const CODES: Record<string, TencentCodeClass> = {
  Ok: { kind: 'ok', configError: false },

  // Transient: Tencent or the carrier hiccupped; the same request can succeed later.
  // https://cloud.tencent.com/document/product/382/59177 (InternalError.*, 60008 timeout)
  'InternalError.Timeout': transient(10 * SECOND),
  'InternalError.SendAndRecvFail': transient(10 * SECOND),
  'InternalError.OtherError': transient(30 * SECOND),
  'InternalError.UnknownError': transient(30 * SECOND),
  'InternalError.ParseBackendResponseFail': transient(30 * SECOND),
  // Our clock is >10 min off Tencent's; NTP usually fixes it, so wait longer than usual.
  'InternalError.RequestTimeException': transient(5 * MINUTE),
  // Not a hiccup: the API path is wrong (a bad endpoint override). Retrying cannot help.
  'InternalError.RestApiInterfaceNotExist': config,

  // Transient: per-number rate limits that clear within minutes.
  // https://cloud.tencent.com/document/product/382/59177 (LimitExceeded.*)
  'LimitExceeded.PhoneNumberThirtySecondLimit': transient(30 * SECOND),
  'LimitExceeded.PhoneNumberOneHourLimit': transient(15 * MINUTE),
  'LimitExceeded.DeliveryFrequencyLimit': transient(1 * MINUTE),
  // API 3.0 request-rate limits: https://cloud.tencent.com/document/api/382/52075
  RequestLimitExceeded: transient(2 * SECOND),
  'RequestLimitExceeded.GlobalRegionUinLimitExceeded': transient(2 * SECOND),
  'RequestLimitExceeded.IPLimitExceeded': transient(2 * SECOND),
  InternalError: transient(10 * SECOND),

  // Permanent for this number: invalid, blacklisted, or capped for the day.
  // https://cloud.tencent.com/document/product/382/59177
  'InvalidParameterValue.IncorrectPhoneNumber': permanent,
  'FailedOperation.PhoneNumberParseFail': permanent,
  'FailedOperation.PhoneNumberInBlacklist': permanent,
  'LimitExceeded.PhoneNumberDailyLimit': permanent,
  'LimitExceeded.PhoneNumberSameContentDailyLimit': permanent,
  'UnsupportedOperation.UnsupportedRegion': permanent,
  // Permanent for this content: the carrier refuses these words.
  'FailedOperation.ContainSensitiveWord': permanent,
  'InvalidParameter.DirtyWordFound': permanent,

  // Configuration: the SMS package, the app's daily caps, the template, the sign or the
  // parameters' shape are wrong, and will be for every task until someone fixes them.
  // https://cloud.tencent.com/document/product/382/59177
  'FailedOperation.InsufficientBalanceInSmsPackage': config,
  'UnauthorizedOperation.ServiceSuspendDueToArrears': config,
  'LimitExceeded.AppDailyLimit': config,
  'LimitExceeded.DailyLimit': config,
  'LimitExceeded.AppCountryOrRegionDailyLimit': config,
  'LimitExceeded.AppCountryOrRegionInBlacklist': config,
  'LimitExceeded.AppGlobalDailyLimit': config,
  'LimitExceeded.AppMainlandChinaDailyLimit': config,
  'FailedOperation.TemplateIncorrectOrUnapproved': config,
  'FailedOperation.TemplateParamSetNotMatchApprovedTemplate': config,
  'FailedOperation.TemplateUnapprovedOrNotExist': config,
  'FailedOperation.TemplateIdNotExist': config,
  'FailedOperation.MissingTemplateList': config,
  'FailedOperation.SignatureIncorrectOrUnapproved': config,
  'FailedOperation.MissingSignature': config,
  'FailedOperation.MissingSignatureList': config,
  'FailedOperation.SignIdNotExist': config,
  'FailedOperation.MarketingSendTimeConstraint': config,
  'InvalidParameterValue.SdkAppIdNotExist': config,
  'InvalidParameterValue.TemplateParameterLengthLimit': config,
  'InvalidParameterValue.TemplateParameterFormatError': config,
  'InvalidParameterValue.ProhibitedUseUrlInTemplateParameter': config,
  'InvalidParameterValue.ContentLengthLimit': config,
  'UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone': config,
  'UnsupportedOperation.GlobalTemplateToChineseMainlandPhone': config,
  'UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber': config,
  // API 3.0 common codes that mean a wrong endpoint, version or network policy:
  // https://cloud.tencent.com/document/api/382/52075
  ActionOffline: config,
  InvalidAction: config,
  NoSuchVersion: config,
  NoSuchProduct: config,
  IpInBlacklist: config,
  IpNotInWhitelist: config,
};

/**
 * Families by prefix, for codes Tencent adds later. AuthFailure.* (wrong SecretId/Key,
 * expired signature, CAM denial) and UnauthorizedOperation.* (app not ours, IP not
 * allow-listed) are configuration: https://cloud.tencent.com/document/api/382/52075.
 * Other InternalError.* are Tencent's own failures and worth a retry.
 */
const PREFIXES: Array<[string, TencentCodeClass]> = [
  ['AuthFailure', config],
  ['UnauthorizedOperation', config],
  ['InternalError', transient(30 * SECOND)],
  ['RequestLimitExceeded', transient(2 * SECOND)],
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
