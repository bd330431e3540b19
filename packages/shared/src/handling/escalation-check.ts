import { MAX_TIMELINE } from '../alerts/upsert-alerts';
import type { Logger } from '../log';
import type { TaskPrecondition } from '../notification';
import type { RedisClient } from '../queue/task-queue';
import { HandlingKeys } from './handling-keys';
import { runHandlingScript } from './handling-scripts';

/** What a precondition check found: send (`first` on the first pass of the task), or why not. */
export type PreconditionResult = { ok: true; first: boolean } | { ok: false; reason: string };

/** Checks a task's precondition right before a send attempt; throws when Redis does not answer. */
export type PreconditionCheck = (
  precondition: TaskPrecondition,
  task: { id: string; channel: string; reachable: number; facts: Record<string, unknown> },
) => Promise<PreconditionResult>;

/**
 * The check of an escalation tier's SMS (check-escalation-4.lua), atomic with ack and resolve:
 * still firing with the tier's firing, unacked, tier not cancelled. Its first pass appends the
 * tier's `escalated` event with the send-time facts (who it reaches now, unknown targets, who
 * has no phone); a failure appends `escalation-suppressed` with the reason.
 */
export function createPreconditionCheck(deps: { redis: RedisClient; prefix: string; logger: Logger; maxTimeline?: number }): PreconditionCheck {
  const k = new HandlingKeys(deps.prefix);
  return async (p, task) => {
    const fp = p.fingerprint;
    const facts = task.reachable > 0 ? task.facts : { ...task.facts, error: task.channel === 'sms' ? 'nobody in this tier has a phone' : `nobody in this tier can get a ${task.channel} message` };
    const reply = (await runHandlingScript(
      deps.redis,
      'checkEscalation',
      [k.acks, k.escalation(fp), k.alerts.record(fp), k.alerts.timeline(fp)],
      [fp, p.tier, p.startsAt, task.id, JSON.stringify(facts), deps.maxTimeline ?? MAX_TIMELINE],
    )) as [number, number | string];
    if (Number(reply[0]) !== 1) {
      deps.logger.info('escalation suppressed', { fingerprint: fp, tier: p.tier, taskId: task.id, reason: String(reply[1]) });
      return { ok: false, reason: String(reply[1]) };
    }
    const first = Number(reply[1]) === 1;
    if (first && task.reachable === 0) deps.logger.warn(`escalation due but nobody in the tier can get a ${task.channel} message`, { fingerprint: fp, tier: p.tier, taskId: task.id });
    else if (first) deps.logger.info('escalation fired', { fingerprint: fp, tier: p.tier, taskId: task.id, recipients: task.reachable });
    return { ok: true, first };
  };
}
