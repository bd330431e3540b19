import { GatewayError, isE164, maskPhone, maskPhonesIn, type Logger, type RecipientResult } from '@alertgw/shared';
import { classifyTencentCode, isConfigError } from './classify-tencent-code';
import type { GroupView } from './group-view';
import type { ParamRenderer, RenderedParams } from './render-params';
import type { SmsMetrics } from './sms-metrics';
import type { SendSmsRequest, SendSmsResponse, SmsApi, TencentErrorDetails } from './tencent-client';

/** SendSms takes at most 200 numbers per call (PhoneNumberSet, API 2021-01-11). */
export const MAX_NUMBERS_PER_CALL = 200;

/** What the SMS sender needs; `api: null` is dry-run. */
export interface SmsSenderDeps {
  api: SmsApi | null;
  tencent: { smsSdkAppId: string; signName: string };
  renderers: { domestic: ParamRenderer; international?: ParamRenderer };
  logger: Logger;
  metrics?: SmsMetrics;
  /** Queue label for the shared config-error counter. */
  queueName?: string;
  /** Upper bound on the delays Tencent codes ask for (the queue's backoff.maxMs). */
  maxRetryAfterMs?: number;
}

/** Per-number results of sending one rendered view to some numbers. */
export interface SmsSendResult {
  results: Record<string, RecipientResult>;
  /** Smallest wait a transient code asked for. */
  retryAfterMs?: number;
  /** Dry-run: the exact SendSms requests that would have gone out. */
  dryRun?: SendSmsRequest[];
  requestIds: string[];
}

/**
 * Sends one view to a set of numbers: split by template kind and 200-number chunks, one result
 * per number. With `viewFor`, each number gets its own view (an ack link signed for its
 * recipient); numbers whose parameters come out the same still share a call.
 */
export type SmsSender = (input: { taskId: string; phones: string[]; view: GroupView; viewFor?: (phone: string) => GroupView; signal: AbortSignal }) => Promise<SmsSendResult>;

/** One SendSms call to make: at most 200 numbers with the same parameters (errors: once per distinct rendering). */
interface PlannedCall {
  phones: string[];
  params: string[];
  errors: RenderedParams['errors'];
}

function plannedCalls(renderer: ParamRenderer, phones: string[], view: GroupView, viewFor?: (phone: string) => GroupView): PlannedCall[] {
  const batches = new Map<string, { rendered: RenderedParams; phones: string[] }>();
  const shared = viewFor ? undefined : renderer.render(view);
  for (const phone of phones) {
    const rendered = shared ?? renderer.render(viewFor!(phone));
    const key = JSON.stringify(rendered.params);
    const batch = batches.get(key) ?? { rendered, phones: [] };
    batch.phones.push(phone);
    batches.set(key, batch);
  }
  const calls: PlannedCall[] = [];
  for (const { rendered, phones: all } of batches.values()) {
    for (let i = 0; i < all.length; i += MAX_NUMBERS_PER_CALL) {
      calls.push({ phones: all.slice(i, i + MAX_NUMBERS_PER_CALL), params: rendered.params, errors: i === 0 ? rendered.errors : [] });
    }
  }
  return calls;
}

/**
 * Builds the SendSms step: +86 numbers with the domestic template and SignName, others
 * with the international one (no SignName), SessionContext = task id, at most 200
 * numbers per call, and one result per number from SendStatusSet — never one per call.
 * A call-level configuration error (wrong key, template, sign, balance) is logged at
 * error level and counted once, and the remaining calls of its scope (the template, or
 * the whole account) are not made.
 */
export function createSmsSender(deps: SmsSenderDeps): SmsSender {
  const { api, tencent, renderers, logger, metrics } = deps;
  const queue = deps.queueName ?? 'sms';

  const configError = (code: string, facts: Record<string, unknown>) => {
    metrics?.configErrors.inc({ queue, code });
    logger.error('SMS configuration error: every SMS will fail until it is fixed', { code, ...facts });
  };

  return async ({ taskId, phones, view, viewFor, signal }) => {
    const at = () => new Date().toISOString();
    const sent: SmsSendResult = { results: {}, requestIds: [] };
    const retryAfter = (wanted: number | undefined) => {
      if (wanted === undefined) return;
      const ms = Math.min(wanted, deps.maxRetryAfterMs ?? wanted);
      sent.retryAfterMs = Math.min(sent.retryAfterMs ?? ms, ms);
    };
    const loggedCodes = new Set<string>();
    const blocked = new Map<string, GatewayError>();

    const groups: Array<{ kind: 'domestic' | 'international'; phones: string[] }> = [
      { kind: 'domestic', phones: [] },
      { kind: 'international', phones: [] },
    ];
    for (const phone of phones) {
      if (!isE164(phone)) {
        sent.results[phone] = { status: 'failed', at: at(), code: 'InvalidPhoneNumber', message: 'not an E.164 number (+<country><number>)' };
        continue;
      }
      groups[phone.startsWith('+86') ? 0 : 1].phones.push(phone);
    }

    for (const group of groups) {
      if (group.phones.length === 0) continue;
      const renderer = renderers[group.kind];
      if (!renderer) {
        if (!loggedCodes.has('NoInternationalTemplate')) {
          loggedCodes.add('NoInternationalTemplate');
          configError('NoInternationalTemplate', { taskId, numbers: group.phones.length, hint: 'set sms.templates.international' });
        }
        for (const p of group.phones) {
          sent.results[p] = { status: 'failed', at: at(), code: 'NoInternationalTemplate', message: 'no international template configured (sms.templates.international)' };
        }
        continue;
      }
      for (const call of plannedCalls(renderer, group.phones, view, viewFor)) {
        for (const e of call.errors) {
          logger.warn('SMS template parameter failed to render; sent as "?"', { taskId, templateId: renderer.templateId, param: e.index + 1, error: e.message });
        }
        const chunk = call.phones;
        const req: SendSmsRequest = {
          PhoneNumberSet: chunk,
          SmsSdkAppId: tencent.smsSdkAppId,
          TemplateId: renderer.templateId,
          ...(group.kind === 'domestic' ? { SignName: tencent.signName } : {}),
          TemplateParamSet: call.params,
          SessionContext: taskId,
        };
        if (!api) {
          dryRun(req, sent, taskId, logger, at());
          metrics?.numbers.inc({ code: 'DryRun' }, chunk.length);
          continue;
        }
        if (signal.aborted) return sent;
        const stop = blocked.get('all') ?? blocked.get(group.kind);
        if (stop) {
          for (const p of chunk) sent.results[p] = callFailure(stop, at());
          continue;
        }
        let res;
        try {
          res = await api.sendSms(req, signal);
        } catch (err) {
          const ge = err instanceof GatewayError ? err : new GatewayError('SEND_TRANSIENT', `SendSms failed: ${maskPhonesIn(String(err))}`, { retryable: true, cause: err, details: { providerCode: 'UNKNOWN' } });
          const d = (ge.details ?? {}) as Partial<TencentErrorDetails>;
          const code = String(d.providerCode ?? ge.code);
          metrics?.numbers.inc({ code }, chunk.length);
          if (ge.code === 'SEND_CONFIG') {
            blocked.set(d.scope === 'account' ? 'all' : group.kind, ge);
            loggedCodes.add(code);
            configError(code, { taskId, templateId: req.TemplateId, numbers: chunk.length, requestId: ge.details?.requestId, message: ge.message });
          } else {
            logger.warn('SendSms call failed', { taskId, templateId: req.TemplateId, numbers: chunk.length, code, retryable: ge.retryable, message: ge.message });
          }
          if (ge.retryable) retryAfter(Number(ge.details?.retryAfterMs ?? 5000));
          for (const p of chunk) sent.results[p] = callFailure(ge, at());
          continue;
        }
        const answered = numberResults(chunk, res, req.TemplateId, at());
        sent.requestIds.push(answered.requestId);
        Object.assign(sent.results, answered.results);
        answered.retryAfterMs.forEach(retryAfter);
        for (const [code, message] of answered.configErrors) {
          if (loggedCodes.has(code)) continue;
          loggedCodes.add(code);
          configError(code, { taskId, templateId: req.TemplateId, requestId: answered.requestId, message });
        }
        const codes = answered.codes;
        for (const [code, n] of Object.entries(codes)) metrics?.numbers.inc({ code }, n);
        logger.info('SendSms answered', { taskId, requestId: answered.requestId, templateId: req.TemplateId, numbers: chunk.length, codes });
      }
    }
    return sent;
  };
}

/** Per-number results of one answered SendSms call, from its SendStatusSet. */
function numberResults(chunk: string[], res: SendSmsResponse, templateId: string, at: string) {
  const requestId = res.RequestId ?? '';
  const out = {
    requestId,
    results: {} as Record<string, RecipientResult>,
    codes: {} as Record<string, number>,
    retryAfterMs: [] as number[],
    configErrors: new Map<string, string>(),
  };
  const byPhone = new Map((res.SendStatusSet ?? []).map((s) => [s.PhoneNumber ?? '', s]));
  for (const phone of chunk) {
    const s = byPhone.get(phone);
    if (!s) {
      // Tencent answers each number; a missing one is a broken answer, worth another try.
      out.results[phone] = { status: 'retry', at, code: 'MissingSendStatus', message: 'SendStatusSet has no entry for this number', detail: { RequestId: requestId } };
      out.retryAfterMs.push(30_000);
      out.codes.MissingSendStatus = (out.codes.MissingSendStatus ?? 0) + 1;
      continue;
    }
    const code = s.Code ?? 'Unknown';
    out.codes[code] = (out.codes[code] ?? 0) + 1;
    const cls = classifyTencentCode(code);
    // Tencent's per-number message may quote the number; the stored reason must not.
    const message = maskPhonesIn(s.Message ?? '');
    const detail = { SerialNo: s.SerialNo ?? '', Fee: s.Fee ?? 0, Code: code, Message: message, IsoCode: s.IsoCode ?? '', RequestId: requestId, TemplateId: templateId };
    if (cls.kind === 'ok') {
      out.results[phone] = { status: 'delivered', at, code, detail };
    } else if (cls.kind === 'transient') {
      out.results[phone] = { status: 'retry', at, code, message, detail };
      if (cls.retryAfterMs !== undefined) out.retryAfterMs.push(cls.retryAfterMs);
    } else {
      out.results[phone] = { status: 'failed', at, code, message, detail };
      if (isConfigError(cls)) out.configErrors.set(code, message);
    }
  }
  return out;
}

/** Result for every number of a call that failed as a whole. */
function callFailure(err: GatewayError, at: string): RecipientResult {
  const code = String(err.details?.providerCode ?? err.code);
  return {
    status: err.retryable ? 'retry' : 'failed',
    at,
    code,
    message: err.message,
    detail: { Code: code, RequestId: err.details?.requestId ?? '' },
  };
}

/** Records and logs the request that would have gone out; numbers are masked in the log only. */
function dryRun(req: SendSmsRequest, sent: SmsSendResult, taskId: string, logger: Logger, at: string): void {
  sent.dryRun ??= [];
  const index = sent.dryRun.push(req) - 1;
  logger.info('dry-run: SendSms request built, not sent (no Tencent credentials configured)', {
    taskId,
    request: { ...req, PhoneNumberSet: req.PhoneNumberSet.map(maskPhone) },
  });
  for (const phone of req.PhoneNumberSet) {
    sent.results[phone] = {
      status: 'dry-run',
      at,
      code: 'DryRun',
      message: 'not sent: dry-run (no Tencent credentials configured)',
      detail: { request: index, TemplateId: req.TemplateId, TemplateParamSet: req.TemplateParamSet, SignName: req.SignName ?? null },
    };
  }
}
