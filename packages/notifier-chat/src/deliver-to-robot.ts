import { classifyError, redact, type ChatProviderConfig, type Logger, type RecipientResult, type RobotConfig } from '@alertgw/shared';
import { classifyChatAnswer, providerCode } from './classify-chat-answer';
import type { ChatMetrics } from './chat-metrics';
import type { Dispatcher } from 'undici';
import { postToRobot } from './post-to-robot';
import { PROVIDERS } from './providers/index';
import type { Mentions } from './providers/provider';
import type { ChatRenderer } from './render/chat-renderer';
import type { ChatView } from './render/chat-view';
import { resolveReference } from './robots/resolve-reference';

/** What posting one message to one robot needs. */
export interface DeliverDeps {
  renderer: ChatRenderer;
  providers: Record<RobotConfig['type'], ChatProviderConfig>;
  maxAlertsPerMessage: number;
  /** notifier-chat's environment: where `${VAR}` references are resolved, at every send. */
  env: NodeJS.ProcessEnv;
  /** How posts leave this host (robotRoute: direct, or through the egress proxy). */
  dispatcher: Dispatcher;
  logger: Logger;
  metrics?: ChatMetrics;
  queueName: string;
  dryRun: boolean;
  /** Upper bound on the delays a provider asks for (the queue's backoff.maxMs). */
  maxRetryAfterMs?: number;
}

/** One robot's result, and the earliest sensible retry when it asks for one. */
export interface RobotOutcome {
  result: RecipientResult;
  retryAfterMs?: number;
}

/**
 * Renders the view for the robot's provider (cut to its size cap), resolves the robot's URL and
 * secret from the environment, signs, posts and judges the answer by errcode. Every failure
 * becomes the robot's result through the shared classifyError; logs name the robot and the
 * URL's origin, never the URL (it carries the token) or the secret.
 */
export async function deliverToRobot(deps: DeliverDeps, robot: RobotConfig, view: ChatView, mentions: Mentions, taskId: string, signal: AbortSignal): Promise<RobotOutcome> {
  const provider = PROVIDERS[robot.type];
  const at = () => new Date().toISOString();
  const rendered = deps.renderer.render(provider, view, mentions, deps.maxAlertsPerMessage);
  const facts = { type: robot.type, bytes: rendered.bytes, maxBytes: rendered.maxBytes, shown: rendered.shown, more: rendered.more };
  if (deps.dryRun) {
    // Numbers in `at` and in the text are masked in the log (the task keeps the exact body).
    deps.logger.info('dry-run: chat message built, not sent', { taskId, robot: robot.name, ...facts, body: redact(rendered.body) });
    deps.metrics?.messages.inc({ provider: robot.type, code: 'DryRun' });
    return { result: { status: 'dry-run', at: at(), code: 'DryRun', message: 'not sent: dry-run', detail: { ...facts, body: rendered.body } } };
  }
  let origin = '';
  try {
    const url = resolveReference(robot.webhookUrl, `robot ${robot.name} webhookUrl`, deps.env);
    origin = safeOrigin(url);
    const secret = robot.secret ? resolveReference(robot.secret, `robot ${robot.name} secret`, deps.env) : undefined;
    const signed = provider.sign(url, rendered.body, secret, Date.now());
    const reply = await postToRobot(provider, signed.url, signed.body, { timeoutMs: deps.providers[robot.type].timeoutMs, signal, dispatcher: deps.dispatcher });
    const refused = classifyChatAnswer(provider, reply);
    if (refused) throw refused;
    const code = providerCode(provider, 0);
    deps.metrics?.messages.inc({ provider: robot.type, code });
    deps.logger.info('chat message accepted', { taskId, robot: robot.name, origin, ...facts });
    return { result: { status: 'delivered', at: at(), code, detail: { ...facts, origin } } };
  } catch (err) {
    const cls = classifyError(err);
    const message = err instanceof Error ? err.message : String(err);
    deps.metrics?.messages.inc({ provider: robot.type, code: cls.code });
    const fields = { taskId, robot: robot.name, origin, code: cls.code, retryable: cls.retryable, message };
    if (cls.configError) {
      deps.metrics?.configErrors.inc({ queue: deps.queueName, code: cls.code });
      deps.logger.error('chat robot configuration error: its messages fail until it is fixed', fields);
    } else deps.logger.warn('chat message not accepted', fields);
    const retryAfterMs = cls.retryable ? Math.min(cls.retryAfterMs ?? 5_000, deps.maxRetryAfterMs ?? Infinity) : undefined;
    return {
      result: { status: cls.retryable ? 'retry' : 'failed', at: at(), code: cls.code, message, detail: { ...facts, ...(origin ? { origin } : {}) } },
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
