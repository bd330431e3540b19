import http from 'node:http';
import https from 'node:https';
import { GatewayError, maskPhonesIn } from '@alertgw/shared';
import { sms } from 'tencentcloud-sdk-nodejs-sms';
import type {
  DescribeSmsTemplateListRequest,
  DescribeTemplateListStatus,
  SendSmsRequest,
  SendSmsResponse,
} from 'tencentcloud-sdk-nodejs-sms/tencentcloud/services/sms/v20210111/sms_models';
import { classifyTencentCode, isConfigError, type TencentCodeClass } from './classify-tencent-code';

export type { SendSmsRequest, SendSmsResponse, DescribeTemplateListStatus };

/** The two SMS API calls the notifier makes. */
export interface SmsApi {
  sendSms(req: SendSmsRequest, signal?: AbortSignal): Promise<SendSmsResponse>;
  /** Approved template content, for the startup parameter-count check. */
  describeTemplates(templateIds: string[], international: boolean): Promise<DescribeTemplateListStatus[]>;
}

/** Where and how to reach Tencent Cloud SMS. */
export interface TencentClientOptions {
  secretId: string;
  secretKey: string;
  region: string;
  /** host[:port] replacing sms.tencentcloudapi.com (tests, private gateways). */
  endpoint?: string;
  protocol: 'https:' | 'http:';
  /** Per-request timeout. */
  timeoutMs?: number;
  /** HTTP(S) proxy URL; without one, a keep-alive agent is used. */
  proxy?: string;
}

/** Facts a SendSms failure carries in GatewayError.details: SendErrorDetails plus the code's scope. */
export interface TencentErrorDetails {
  /** Tencent's Error.Code, or NETWORK / HTTP_<status> / ABORTED when no answer was parsed. */
  providerCode: string;
  /** What the failure spoils, from the code table: the send step stops calling for that scope. */
  scope: TencentCodeClass['scope'];
  requestId?: string;
  httpStatus?: number;
  retryAfterMs?: number;
}

/**
 * A Tencent Cloud SMS client (API 2021-01-11) on the official SDK, signed with
 * TC3-HMAC-SHA256. Every failure becomes a GatewayError straight from the code table:
 * SEND_TRANSIENT, SEND_PERMANENT or SEND_CONFIG, with Tencent's code and its scope in
 * `details` (TencentErrorDetails).
 */
export function createTencentSmsClient(opts: TencentClientOptions): SmsApi {
  const protocol = opts.protocol === 'http:' ? 'http://' : 'https://';
  // Reusing connections saves a TLS handshake per call; the SDK honours a proxy only without an agent.
  const agent = opts.proxy
    ? undefined
    : protocol === 'http://'
      ? new http.Agent({ keepAlive: true, maxSockets: 16 })
      : new https.Agent({ keepAlive: true, maxSockets: 16 });
  const client = new sms.v20210111.Client({
    credential: { secretId: opts.secretId, secretKey: opts.secretKey },
    region: opts.region,
    profile: {
      signMethod: 'TC3-HMAC-SHA256',
      httpProfile: {
        reqMethod: 'POST',
        protocol,
        reqTimeout: Math.max(1, Math.ceil((opts.timeoutMs ?? 15_000) / 1000)),
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
        ...(agent ? { agent } : {}),
        ...(opts.proxy ? { proxy: opts.proxy } : {}),
      },
    },
  });
  return {
    async sendSms(req, signal) {
      try {
        // request() rather than SendSms(): only request() passes the AbortSignal on.
        return (await client.request('SendSms', req, { signal })) as SendSmsResponse;
      } catch (err) {
        throw toGatewayError('SendSms', err, opts.secretId, signal);
      }
    },
    async describeTemplates(templateIds, international) {
      const req: DescribeSmsTemplateListRequest = {
        International: international ? 1 : 0,
        TemplateIdSet: templateIds.map(Number),
      };
      try {
        const res = await client.DescribeSmsTemplateList(req);
        return res.DescribeTemplateStatusSet ?? [];
      } catch (err) {
        throw toGatewayError('DescribeSmsTemplateList', err, opts.secretId);
      }
    },
  };
}

/** Shape of the SDK's TencentCloudSDKHttpException (not exported by the SMS package). */
interface SdkError {
  message?: string;
  code?: string;
  requestId?: string;
  httpCode?: number;
}

function toGatewayError(action: string, err: unknown, secretId: string, signal?: AbortSignal): GatewayError {
  const e = (err ?? {}) as SdkError;
  // Tencent's messages may quote the numbers it refused, or the SecretId it did not like; they
  // end up in logs, task hashes and timelines.
  const masked = maskPhonesIn(String(e.message ?? err));
  const text = secretId ? masked.split(secretId).join('[SecretId]') : masked;
  let providerCode: string;
  let cls: TencentCodeClass;
  let extra: Pick<TencentErrorDetails, 'requestId' | 'httpStatus'> = {};
  if (e.code) {
    providerCode = e.code;
    cls = classifyTencentCode(e.code);
    extra = { requestId: e.requestId || undefined };
  } else if (e.httpCode) {
    // No JSON answer: a proxy or gateway in between. 5xx/429 pass; other statuses mean a wrong endpoint.
    const passing = e.httpCode >= 500 || e.httpCode === 429;
    providerCode = `HTTP_${e.httpCode}`;
    cls = passing ? { kind: 'transient', scope: 'account', retryAfterMs: 10_000 } : { kind: 'permanent', scope: 'account' };
    extra = { httpStatus: e.httpCode };
  } else {
    providerCode = signal?.aborted ? 'ABORTED' : 'NETWORK';
    cls = { kind: 'transient', scope: 'account', retryAfterMs: 5_000 };
  }
  const code = cls.kind === 'transient' ? 'SEND_TRANSIENT' : isConfigError(cls) ? 'SEND_CONFIG' : 'SEND_PERMANENT';
  const details: TencentErrorDetails = { providerCode, scope: cls.scope, ...extra, retryAfterMs: cls.retryAfterMs };
  return new GatewayError(code, `Tencent ${action} failed: ${providerCode}: ${text}`, {
    retryable: code === 'SEND_TRANSIENT',
    cause: err,
    details: { ...details },
  });
}
