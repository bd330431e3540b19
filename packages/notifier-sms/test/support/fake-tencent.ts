import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One approved template the fake knows. Placeholders are {1}, {2} … as in Tencent's console. */
export interface FakeTemplate {
  content: string;
  international: boolean;
}

/** A per-number answer: a code (Message is derived) or a code with its message. */
export type NumberAnswer = string | { Code: string; Message: string };

/** What a test scripts: the answer for one number in one call (default "Ok"). */
export type NumberScript = (phone: string, ctx: { call: number; attempt: number; req: SendSmsBody }) => NumberAnswer;

/** What a test scripts: an error for a whole call (default none). */
export type CallScript = (req: SendSmsBody, ctx: { call: number }) => { Code: string; Message: string } | undefined;

/** The SendSms body as the fake received it. */
export interface SendSmsBody {
  PhoneNumberSet: string[];
  SmsSdkAppId: string;
  TemplateId: string;
  SignName?: string;
  TemplateParamSet?: string[];
  SessionContext?: string;
  ExtendCode?: string;
  SenderId?: string;
}

/** An SMS the fake "delivered" (Code Ok). */
export interface FakeDelivery {
  phone: string;
  templateId: string;
  signName?: string;
  params: string[];
  sessionContext?: string;
  serialNo: string;
  /** ms epoch when the fake accepted it. */
  at: number;
}

/** One HTTP request the fake answered. */
export interface FakeCall {
  action: string;
  body: unknown;
  /** Error.Code of the whole call, when it failed as a whole. */
  error?: string;
  statuses?: Array<Record<string, unknown>>;
}

export interface FakeTencentOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
  signNames: string[];
  templates: Record<string, FakeTemplate>;
  /** Template variable cap in code points (12 for personally verified accounts); none by default. */
  maxParamLength?: number;
}

const REGION_OK = /^[a-z]+-[a-z]+$/;
const AUTH = /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([^/]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * A Tencent Cloud API 3.0 endpoint for SendSms and DescribeSmsTemplateList (2021-01-11),
 * good enough for the official SDK: it verifies TC3-HMAC-SHA256 with its own copy of the
 * SecretKey (AuthFailure.SignatureFailure on mismatch), checks the request like Tencent
 * does (app, sign, template, parameter count, 200 numbers, domestic vs international) and
 * answers each number as the test scripted it.
 */
export class FakeTencent extends EventEmitter {
  readonly calls: FakeCall[] = [];
  readonly deliveries: FakeDelivery[] = [];
  private numberScript: NumberScript = () => 'Ok';
  private callScript: CallScript = () => undefined;
  private readonly seen = new Map<string, number>();
  private server: http.Server | null = null;
  private sendCalls = 0;
  /** host:port to put in sms.tencent.endpoint. */
  endpoint = '';

  constructor(readonly opts: FakeTencentOptions) {
    super();
  }

  /** Listens on a free port of 127.0.0.1. */
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Forgets calls, deliveries, per-number attempt counts and scripts (between tests). */
  reset(): void {
    this.calls.length = 0;
    this.deliveries.length = 0;
    this.seen.clear();
    this.sendCalls = 0;
    this.numberScript = () => 'Ok';
    this.callScript = () => undefined;
  }

  /** Sets the per-number answers. */
  answerNumbers(script: NumberScript): void {
    this.numberScript = script;
  }

  /** Sets the whole-call errors. */
  answerCalls(script: CallScript): void {
    this.callScript = script;
  }

  /** SendSms calls answered so far (with or without error). */
  get sendSmsCalls(): FakeCall[] {
    return this.calls.filter((c) => c.action === 'SendSms');
  }

  /** Delivered SMS per phone. */
  deliveredTo(phone: string): FakeDelivery[] {
    return this.deliveries.filter((d) => d.phone === phone);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const requestId = randomBytes(16).toString('hex');
      const action = String(req.headers['x-tc-action'] ?? '');
      let answer: Record<string, unknown>;
      let body: unknown = undefined;
      const authError = this.verify(req, raw);
      if (authError) {
        answer = { Error: authError };
      } else {
        try {
          body = JSON.parse(raw.toString('utf8'));
          answer = this.dispatch(action, body);
        } catch {
          answer = { Error: { Code: 'FailedOperation.JsonParseFail', Message: 'request body is not JSON' } };
        }
      }
      const err = answer.Error as { Code: string } | undefined;
      const call: FakeCall = { action, body, error: err?.Code, statuses: answer.SendStatusSet as FakeCall['statuses'] };
      this.calls.push(call);
      // Tencent answers API errors with HTTP 200 and Response.Error.
      res.writeHead(200, { 'content-type': 'application/json', 'x-tc-traceid': requestId });
      res.end(JSON.stringify({ Response: { ...answer, RequestId: requestId } }));
      this.emit('call', call);
    });
  }

  /** Checks TC3-HMAC-SHA256 as "签名方法 v3" describes (e.g. https://cloud.tencent.com/document/api/362/4208). */
  private verify(req: http.IncomingMessage, raw: Buffer): { Code: string; Message: string } | null {
    const auth = AUTH.exec(String(req.headers.authorization ?? ''));
    if (!auth) return { Code: 'AuthFailure.InvalidAuthorization', Message: 'Authorization header is not TC3-HMAC-SHA256' };
    const [, secretId, date, service, signedHeaders, signature] = auth;
    if (secretId !== this.opts.secretId) return { Code: 'AuthFailure.SecretIdNotFound', Message: 'The SecretId is not found.' };
    const timestamp = Number(req.headers['x-tc-timestamp']);
    if (!Number.isFinite(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300) {
      return { Code: 'AuthFailure.SignatureExpire', Message: 'Signature expired.' };
    }
    const host = String(req.headers.host ?? '');
    // The SDK signs the host name without the port.
    const hostname = host.replace(/:\d+$/, '');
    const headerValue = (name: string) => (name === 'host' ? hostname : String(req.headers[name] ?? '')).trim().toLowerCase();
    const names = signedHeaders.split(';');
    const canonicalHeaders = names.map((n) => `${n}:${headerValue(n)}\n`).join('');
    const url = new URL(req.url ?? '/', 'http://x');
    const canonicalRequest = [
      req.method,
      url.pathname,
      url.search.slice(1),
      canonicalHeaders,
      signedHeaders,
      sha256hex(raw),
    ].join('\n');
    const dayOfTimestamp = new Date(timestamp * 1000).toISOString().slice(0, 10);
    const scope = `${date}/${service}/tc3_request`;
    const stringToSign = ['TC3-HMAC-SHA256', String(timestamp), scope, sha256hex(canonicalRequest)].join('\n');
    const kDate = hmac(`TC3${this.opts.secretKey}`, date);
    const kService = hmac(kDate, service);
    const kSigning = hmac(kService, 'tc3_request');
    const expected = hmac(kSigning, stringToSign).toString('hex');
    // The service in the scope must match the endpoint's first label (sms.tencentcloudapi.com → sms).
    const serviceOk = service === hostname.split('.')[0];
    const same = timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    if (!same || date !== dayOfTimestamp || !serviceOk || !names.includes('host')) {
      return {
        Code: 'AuthFailure.SignatureFailure',
        Message: 'The provided credentials could not be validated. Please check your signature is correct.',
      };
    }
    if (req.headers['x-tc-version'] !== '2021-01-11') return { Code: 'NoSuchVersion', Message: 'version not supported' };
    const region = String(req.headers['x-tc-region'] ?? '');
    if (!REGION_OK.test(region)) return { Code: 'InvalidParameter', Message: 'Region is missing or malformed' };
    return null;
  }

  private dispatch(action: string, body: unknown): Record<string, unknown> {
    if (action === 'SendSms') return this.sendSms(body as SendSmsBody);
    if (action === 'DescribeSmsTemplateList') return this.describeTemplates(body as { International: number; TemplateIdSet?: number[] });
    return { Error: { Code: 'InvalidAction', Message: `action ${action} does not exist` } };
  }

  private sendSms(req: SendSmsBody): Record<string, unknown> {
    const call = ++this.sendCalls;
    const fail = (Code: string, Message: string) => ({ Error: { Code, Message } });
    if (req.SmsSdkAppId !== this.opts.smsSdkAppId) return fail('UnauthorizedOperation.SmsSdkAppIdVerifyFail', 'SmsSdkAppId verify failed');
    const phones = req.PhoneNumberSet ?? [];
    if (phones.length === 0) return fail('MissingParameter.EmptyPhoneNumberSet', 'PhoneNumberSet is empty');
    if (phones.length > 200) return fail('LimitExceeded.PhoneNumberCountLimit', 'more than 200 numbers in one request');
    const template = this.opts.templates[req.TemplateId];
    if (!template) return fail('FailedOperation.TemplateIncorrectOrUnapproved', 'template not approved or not found');
    const domestic = phones.map((p) => p.startsWith('+86'));
    if (domestic.some((d) => d) && domestic.some((d) => !d)) {
      return fail('UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber', 'mixed domestic and international numbers');
    }
    if (template.international && domestic[0]) return fail('UnsupportedOperation.GlobalTemplateToChineseMainlandPhone', 'global template to mainland number');
    if (!template.international && !domestic[0]) return fail('UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone', 'mainland template to global number');
    if (domestic[0] && !this.opts.signNames.includes(req.SignName ?? '')) {
      return fail('FailedOperation.SignatureIncorrectOrUnapproved', 'sign not approved or malformed');
    }
    const params = req.TemplateParamSet ?? [];
    if (params.length !== placeholderCount(template.content)) {
      return fail('FailedOperation.TemplateParamSetNotMatchApprovedTemplate', 'parameter count does not match the template');
    }
    const max = this.opts.maxParamLength;
    if (max !== undefined && params.some((p) => [...p].length > max)) {
      return fail('InvalidParameterValue.TemplateParameterLengthLimit', `a template variable is longer than ${max} characters`);
    }
    const callError = this.callScript(req, { call });
    if (callError) return { Error: callError };

    const SendStatusSet = phones.map((phone) => {
      const attempt = (this.seen.get(phone) ?? 0) + 1;
      this.seen.set(phone, attempt);
      const answer = this.numberScript(phone, { call, attempt, req });
      const { Code, Message } = typeof answer === 'string' ? { Code: answer, Message: answer === 'Ok' ? 'send success' : answer } : answer;
      const serialNo = `${2000 + call}:${randomBytes(8).toString('hex')}`;
      if (Code === 'Ok') {
        this.deliveries.push({ phone, templateId: req.TemplateId, signName: req.SignName, params, sessionContext: req.SessionContext, serialNo, at: Date.now() });
      }
      return {
        SerialNo: Code === 'Ok' ? serialNo : '',
        PhoneNumber: phone,
        Fee: Code === 'Ok' ? 1 : 0,
        SessionContext: req.SessionContext ?? '',
        Code,
        Message,
        IsoCode: domestic[0] ? 'CN' : 'DEF',
      };
    });
    return { SendStatusSet };
  }

  private describeTemplates(req: { International: number; TemplateIdSet?: number[] }): Record<string, unknown> {
    const set = (req.TemplateIdSet ?? [])
      .map(String)
      .filter((id) => this.opts.templates[id] && this.opts.templates[id].international === (req.International === 1))
      .map((id) => ({
        TemplateId: Number(id),
        International: req.International,
        StatusCode: 0,
        ReviewReply: '',
        TemplateName: `template ${id}`,
        CreateTime: 1700000000,
        TemplateContent: this.opts.templates[id].content,
      }));
    return { DescribeTemplateStatusSet: set };
  }
}

/** Number of distinct {n} placeholders in a template's content. */
export function placeholderCount(content: string): number {
  return new Set([...content.matchAll(/\{(\d+)\}/g)].map((m) => m[1])).size;
}

function sha256hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
