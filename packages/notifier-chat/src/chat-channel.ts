import {
  alertsUrl,
  createSendBudget,
  digestMember,
  digestPayload,
  scheduleDigest,
  type AdmitResult,
  type AckLinkIssuer,
  type BudgetLimit,
  type ChannelHandler,
  type ChatConfig,
  type ClaimedTask,
  type Logger,
  type NotificationPayload,
  type RecipientResult,
  type RobotConfig,
  type RobotType,
  type SendOutcome,
  type TaskQueue,
} from '@alertgw/shared';
import type { ChatMetrics } from './chat-metrics';
import { deliverToRobot, type DeliverDeps, type RobotOutcome } from './deliver-to-robot';
import { mentionsFor } from './mentions';
import type { ChatRenderer } from './render/chat-renderer';
import { chatViewOf, digestChatView, type ChatBrief } from './render/chat-view';
import type { Dispatcher } from 'undici';
import type { RobotDirectory } from './robots/robot-directory';

/** Marks a chat task as the summary of one robot's digest generation. */
export interface ChatDigestRef {
  robot: string;
  gen: number;
}

/** The chat queue's task payload: what ingest writes, or a robot summary this notifier wrote. */
export type ChatPayload = NotificationPayload & { digest?: ChatDigestRef };

/** What the chat channel is built from. */
export interface ChatChannelDeps {
  config: ChatConfig;
  robots: RobotDirectory;
  /** The chat queue itself: summaries are enqueued into it, budgets live in its hash tag. */
  queue: TaskQueue<ChatPayload>;
  renderer: ChatRenderer;
  logger: Logger;
  metrics?: ChatMetrics;
  env?: NodeJS.ProcessEnv;
  /** How robot posts leave this host (robotRoute of the same environment). */
  dispatcher: Dispatcher;
  maxRetryAfterMs?: number;
  /** Signs ack links into messages; absent when ack links are off (no ingest.publicUrl or key). */
  ackLinks?: AckLinkIssuer;
}

/**
 * A robot type's budget: per "minute" and, for Feishu, per second (both scaled with windowMs).
 * Each window is kept 5% longer (at most 1 s) than the provider's: the slot is taken on Redis'
 * clock before the post travels, and the provider counts arrivals on its own, so a send right at
 * the edge of our window could still land inside the provider's and be throttled.
 */
export function robotLimits(config: ChatConfig, type: RobotType): BudgetLimit[] {
  const r = config.providers[type].rateLimit;
  const padded = (ms: number) => Math.round(ms + Math.min(1_000, ms / 20));
  return [{ max: r.perMinute, windowMs: padded(r.windowMs) }, ...(r.perSecond ? [{ max: r.perSecond, windowMs: padded(r.windowMs / 60) }] : [])];
}

/**
 * The chat channel for the shared worker: one message per alert group and robot, in the
 * robot's provider's own format, within a budget per robot shared by every replica. A robot
 * over its budget is answered `merged`: the group joins the robot's digest, which goes out as one
 * summary task of this same queue when the budget allows. Robots are read live (RobotDirectory);
 * a robot unknown at send time fails permanently (ROBOT_UNKNOWN). With no robot configured
 * anywhere, or `chat.dryRun`, messages are built and recorded, not posted.
 */
export function createChatChannel(deps: ChatChannelDeps): ChannelHandler<ChatPayload> {
  const { config, queue, logger, metrics } = deps;
  const budget = createSendBudget({ redis: queue.redis, keys: queue.keys, limits: robotLimits(config, 'dingtalk') });
  const deliverDeps = (dryRun: boolean): DeliverDeps => ({
    renderer: deps.renderer,
    providers: config.providers,
    maxAlertsPerMessage: config.maxAlertsPerMessage,
    env: deps.env ?? process.env,
    dispatcher: deps.dispatcher,
    logger,
    metrics,
    queueName: queue.name,
    dryRun,
    maxRetryAfterMs: deps.maxRetryAfterMs,
  });
  const budgetText = (type: RobotType) => {
    const r = config.providers[type].rateLimit;
    const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
    return `${r.perMinute} messages per ${seconds(r.windowMs)}${r.perSecond ? ` and ${r.perSecond} per ${seconds(r.windowMs / 60)}` : ''}`;
  };
  const unknown = (name: string): RecipientResult => ({
    status: 'failed',
    at: new Date().toISOString(),
    code: 'ROBOT_UNKNOWN',
    message: `no robot named "${name.slice(0, 128)}" in the directory at send time`,
  });

  /**
   * Moves a send's budget slot to when the provider answered (see stamp-1.lua). Best effort: the
   * send already happened, and failing here must not turn it into a resend.
   */
  async function stampSlot(robot: RobotConfig, member: string): Promise<void> {
    try {
      await budget.stamp(robot.name, member, robotLimits(config, robot.type));
    } catch (err) {
      logger.warn('could not re-stamp a robot budget slot; its window counts from when the slot was taken', { robot: robot.name, error: (err as Error).message });
    }
  }

  async function mergeIntoDigest(task: ClaimedTask<ChatPayload>, robot: RobotConfig, m: Extract<AdmitResult, { status: 'merged' }>): Promise<RecipientResult> {
    const scheduled = await scheduleDigest(
      { queue, logger, windowMs: config.providers[robot.type].rateLimit.windowMs, budgetText: budgetText(robot.type) },
      task,
      robot.name,
      m,
      digestPayload(task.payload, robot.name, { robot: robot.name, gen: m.gen }, new Date()),
    );
    metrics?.merged.inc({ provider: robot.type });
    return scheduled.result;
  }

  async function sendGroup(task: ClaimedTask<ChatPayload>, pending: string[], robots: ReadonlyMap<string, RobotConfig>, dryRun: boolean, signal: AbortSignal): Promise<SendOutcome> {
    const view = chatViewOf(task.payload);
    const firing = task.payload.alerts.filter((a) => a.status === 'firing').length;
    const what = view.groupLabels.length ? `${view.title} (${view.groupLabels.map((f) => f.value).join(', ')})` : view.title;
    const brief: ChatBrief = { what, severity: view.severity, status: view.status, rank: task.severityRank, firing, resolved: task.payload.alerts.length - firing };
    const outcomes: Record<string, RobotOutcome> = {};
    const ackLinks = await deps.ackLinks?.forPayload(task.payload);
    for (const name of pending) {
      const robot = robots.get(name) ?? (dryRun && robots.size === 0 ? placeholderRobot(name) : undefined);
      if (!robot) {
        outcomes[name] = { result: unknown(name) };
        continue;
      }
      if (!dryRun) {
        const admit = (
          await budget.admit(
            [name],
            { member: task.id, firing: brief.firing, resolved: brief.resolved, severityRank: task.severityRank, latest: { what, alertname: view.title, severity: view.severity }, brief: { ...brief } },
            robotLimits(config, robot.type),
          )
        ).get(name)!;
        if (admit.status === 'merged') {
          outcomes[name] = { result: await mergeIntoDigest(task, robot, admit) };
          continue;
        }
      }
      // Each robot's copy carries ack links signed for that robot.
      const robotView = ackLinks ? chatViewOf(task.payload, { links: ackLinks, recipient: name }) : view;
      outcomes[name] = await deliverToRobot(deliverDeps(dryRun), robot, robotView, mentionsFor(robot, task.payload.owners), task.id, signal);
      if (!dryRun) await stampSlot(robot, task.id);
    }
    return outcomeOf(outcomes);
  }

  async function sendDigest(task: ClaimedTask<ChatPayload>, ref: ChatDigestRef, pending: string[], robots: ReadonlyMap<string, RobotConfig>, signal: AbortSignal): Promise<SendOutcome> {
    const name = ref.robot;
    if (!pending.includes(name)) return { results: {} };
    const robot = robots.get(name);
    if (!robot) return { results: { [name]: unknown(name) } };
    const at = new Date().toISOString();
    const r = await budget.flush(name, ref.gen, task.id, robotLimits(config, robot.type));
    if (r.status === 'wait') {
      const sendAfter = new Date(r.freeAt).toISOString();
      return {
        results: { [name]: { status: 'retry', at, code: 'BudgetFull', message: `summary waits for a free slot (${budgetText(robot.type)})`, detail: { sendAfter } } },
        retryAfterMs: Math.max(0, r.freeAt - r.now),
      };
    }
    if (r.status === 'empty') {
      return { results: { [name]: { status: 'suppressed', at, code: 'DigestEmpty', message: `summary generation ${ref.gen} was already sent by another task` } } };
    }
    const am = alertsUrl(task.payload.externalURL, task.payload.receiver);
    const view = digestChatView(r.snapshot, am ? [{ label: 'View in Alertmanager', href: am }] : []);
    const out = await deliverToRobot(deliverDeps(false), robot, view, mentionsFor(robot, undefined), task.id, signal);
    await stampSlot(robot, digestMember(ref.gen));
    out.result.detail = { ...out.result.detail, digest: { generation: ref.gen, merged: r.snapshot.count, firing: r.snapshot.firing, resolved: r.snapshot.resolved } };
    if (out.result.status === 'delivered') {
      metrics?.digests.inc({ provider: robot.type });
      logger.info('robot summary sent', { taskId: task.id, robot: name, generation: ref.gen, merged: r.snapshot.count });
    }
    return outcomeOf({ [name]: out });
  }

  return {
    async send(task, pending, signal) {
      const { robots } = await deps.robots.current();
      const dryRun = config.dryRun || robots.size === 0;
      return task.payload.digest ? sendDigest(task, task.payload.digest, pending, robots, signal) : sendGroup(task, pending, robots, dryRun, signal);
    },
  };
}

/** With no robot configured anywhere (dry-run), a message is still rendered, as DingTalk markdown. */
function placeholderRobot(name: string): RobotConfig {
  return { name, type: 'dingtalk', webhookUrl: '' };
}

function outcomeOf(outcomes: Record<string, RobotOutcome>): SendOutcome {
  const results: Record<string, RecipientResult> = {};
  let retryAfterMs: number | undefined;
  for (const [name, o] of Object.entries(outcomes)) {
    results[name] = o.result;
    if (o.retryAfterMs !== undefined) retryAfterMs = Math.min(retryAfterMs ?? o.retryAfterMs, o.retryAfterMs);
  }
  return { results, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
}
