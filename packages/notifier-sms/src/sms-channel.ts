import { GatewayError, isE164, scheduleDigest, type AckLinkIssuer, type ChannelHandler, type ClaimedTask, type Logger, type RecipientResult, type SendOutcome, type SmsConfig, type TaskQueue } from '@alertgw/shared';
import { createSmsSender, type SmsSendResult } from './send-sms';
import { digestPayload, digestView, type DigestRef, type SmsPayload } from './digest';
import { buildGroupView, describeGroup, type GroupView } from './group-view';
import { compileParams, type ParamProblem, type ParamRenderer } from './render-params';
import type { SmsMetrics } from './sms-metrics';
import { createStormControl, type AdmitResult } from './storm-control';
import type { SmsApi } from './tencent-client';

/** What the SMS channel is built from; `api: null` means dry-run. */
export interface SmsChannelDeps {
  config: SmsConfig;
  api: SmsApi | null;
  /** The SMS queue itself: storm summaries are enqueued into it, budgets live in its hash tag. */
  queue: TaskQueue<SmsPayload>;
  logger: Logger;
  metrics?: SmsMetrics;
  /** Upper bound on delays a Tencent code asks for; main passes queue.backoff.maxMs. */
  maxRetryAfterMs?: number;
  /** Signs the `ackUrl` parameter per number (ingest.publicUrl set). */
  ackLinks?: AckLinkIssuer;
}

/**
 * Compiles every template parameter expression; throws CONFIG_INVALID listing each
 * problem with its config path, so a wrong expression stops the process at startup.
 */
export function compileRenderers(config: SmsConfig): { domestic: ParamRenderer; international?: ParamRenderer } {
  const problems: ParamProblem[] = [];
  const domestic = compileParams(config.templates.domestic, 'sms.templates.domestic');
  problems.push(...domestic.problems);
  const international = config.templates.international ? compileParams(config.templates.international, 'sms.templates.international') : undefined;
  if (international) problems.push(...international.problems);
  if (problems.length > 0) {
    throw new GatewayError('CONFIG_INVALID', `SMS template parameters are invalid:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`, {
      details: { problems },
    });
  }
  return { domestic: domestic.renderer, ...(international ? { international: international.renderer } : {}) };
}

/**
 * The SMS channel for the shared worker: per-phone storm control, then SendSms through
 * Tencent (or dry-run) with one result per number. Over-budget numbers are merged into
 * their phone's digest and answered `merged`; the digest goes out later as one summary
 * task of this same queue.
 */
export function createSmsChannel(deps: SmsChannelDeps): ChannelHandler<SmsPayload> {
  const { config, queue, logger, metrics } = deps;
  const renderers = compileRenderers(config);
  // Only a template that prints ackUrl costs a call per number; the others keep one call per 200.
  const templates = [config.templates.domestic, config.templates.international];
  const usesAckUrl = templates.some((t) => t?.params.some((p) => p.expr.includes('ackUrl') || p.expr.includes('ackToken') || p.expr.includes('ackCode')));
  const usesAckCode = templates.some((t) => t?.params.some((p) => p.expr.includes('ackCode')));
  const storm = createStormControl({ redis: queue.redis, keys: queue.keys, budget: config.budget });
  const sendSms = createSmsSender({
    api: deps.api,
    tencent: config.tencent,
    renderers,
    logger,
    metrics,
    queueName: queue.name,
    maxRetryAfterMs: deps.maxRetryAfterMs,
  });
  const windowMin = Math.round(config.budget.windowMs / 6000) / 10;
  const budgetText = `${config.budget.maxPerWindow} SMS per ${windowMin} min`;

  async function mergeIntoDigest(task: ClaimedTask<SmsPayload>, phone: string, m: Extract<AdmitResult, { status: 'merged' }>): Promise<RecipientResult> {
    const scheduled = await scheduleDigest({ queue, logger, windowMs: config.budget.windowMs, budgetText }, task, phone, m, digestPayload(task.payload, phone, m.gen, new Date()));
    metrics?.merged.inc();
    return scheduled.result;
  }

  async function sendGroup(task: ClaimedTask<SmsPayload>, pending: string[], signal: AbortSignal): Promise<SendOutcome> {
    const view = buildGroupView(task.payload);
    const admits = await storm.admit(pending.filter(isE164), {
      member: task.id,
      firing: view.firing,
      resolved: view.resolved,
      severityRank: task.severityRank,
      latest: { what: describeGroup(view), alertname: view.alertname, severity: view.severity },
    });
    const results: Record<string, RecipientResult> = {};
    const toSend: string[] = [];
    for (const phone of pending) {
      const a = admits.get(phone);
      if (a?.status === 'merged') results[phone] = await mergeIntoDigest(task, phone, a);
      else toSend.push(phone);
    }
    const d = await sendSms({ taskId: task.id, phones: toSend, view, viewFor: await ackViews(task.payload, view, toSend), signal });
    return outcome({ ...results, ...d.results }, d);
  }

  /** Per number, the view with `ackUrl` (and its code, when a template uses one) signed for its recipient; undefined when there is no link to give. */
  async function ackViews(payload: SmsPayload, view: GroupView, phones: string[]): Promise<((phone: string) => GroupView) | undefined> {
    const issuer = deps.ackLinks;
    if (!issuer || view.firing === 0 || !usesAckUrl) return undefined;
    const links = await issuer.forPayload(payload);
    const nameOf = new Map(payload.recipients.map((r) => [r.address, r.name]));
    const views = new Map<string, GroupView>();
    for (const phone of phones) {
      const ackUrl = links.group(nameOf.get(phone) ?? phone) ?? '';
      const ackCode = usesAckCode && ackUrl ? await issuer.shortCode(ackUrl) : '';
      views.set(phone, { ...view, ackUrl, ackToken: ackUrl.slice(ackUrl.lastIndexOf('/') + 1), ackCode });
    }
    return (phone) => views.get(phone) ?? view;
  }

  async function sendDigest(task: ClaimedTask<SmsPayload>, ref: DigestRef, pending: string[], signal: AbortSignal): Promise<SendOutcome> {
    const { phone, gen } = ref;
    if (!pending.includes(phone)) return { results: {} };
    const at = new Date().toISOString();
    const r = await storm.flush(phone, gen, task.id);
    if (r.status === 'wait') {
      const sendAfter = new Date(r.freeAt).toISOString();
      return {
        results: { [phone]: { status: 'retry', at, code: 'StormBudgetFull', message: `summary waits for a free slot (${budgetText})`, detail: { sendAfter } } },
        retryAfterMs: Math.max(0, r.freeAt - r.now),
      };
    }
    if (r.status === 'empty') {
      return { results: { [phone]: { status: 'suppressed', at, code: 'DigestEmpty', message: `summary generation ${gen} was already sent by another task` } } };
    }
    const s = r.snapshot;
    const d = await sendSms({ taskId: task.id, phones: [phone], view: digestView(s), signal });
    const res = d.results[phone];
    if (res) {
      res.detail = { ...res.detail, digest: { generation: gen, merged: s.count, firing: s.firing, resolved: s.resolved, latest: s.latest.what, since: new Date(s.firstAt).toISOString() } };
      if (res.status === 'delivered' || res.status === 'dry-run') {
        metrics?.digests.inc();
        logger.info('storm control: summary SMS sent', { taskId: task.id, generation: gen, merged: s.count, status: res.status });
      }
    }
    return outcome(d.results, d);
  }

  return {
    send(task, pending, signal) {
      return task.payload.digest ? sendDigest(task, task.payload.digest, pending, signal) : sendGroup(task, pending, signal);
    },
  };
}

function outcome(results: Record<string, RecipientResult>, d: SmsSendResult): SendOutcome {
  const info: Record<string, unknown> = {};
  if (d.requestIds.length) info.requestIds = d.requestIds;
  // SendSms requests carry no secret (those sign the HTTP headers), so the exact request is kept.
  if (d.dryRun) info.dryRun = d.dryRun;
  return {
    results,
    ...(d.retryAfterMs !== undefined ? { retryAfterMs: d.retryAfterMs } : {}),
    ...(Object.keys(info).length ? { info } : {}),
  };
}
