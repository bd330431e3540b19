import type { PreconditionCheck } from '../handling/escalation-check';
import type { NotificationPayload } from '../notification';
import type { ClaimedTask } from '../queue/types';
import type { GateVerdict, TaskGate } from '../worker/task-gate';
import type { SendTimeDirectory } from './send-time-directory';
import { resolveSendTimeTargets } from './send-time-recipients';

/** The parts of a channel task's payload the gate reads. */
export type GatedPayload = Partial<Pick<NotificationPayload, 'recipients' | 'sendTimeTargets' | 'precondition'>>;

/** What the gate of one channel needs. */
export interface ChannelGateDeps {
  channel: string;
  directory: SendTimeDirectory;
  check: PreconditionCheck;
}

/**
 * The gate every channel's Worker runs before a send attempt (see TaskGate): resolves the
 * payload's send-time targets against the directory in force now, then checks its
 * precondition (which records the outcome on the alert's timeline). A task with neither is
 * left alone at no cost. Refuses with `suppressed` when the precondition fails, with `failed`
 * when nobody is left to send to.
 */
export function createChannelGate<P extends GatedPayload>(deps: ChannelGateDeps): TaskGate<P> {
  async function prepare(task: ClaimedTask<P>): Promise<GateVerdict<P>> {
    const payload = task.payload;
    let resolved = task;
    let facts: Record<string, unknown> = {};
    if (payload.sendTimeTargets?.length) {
      const r = resolveSendTimeTargets(payload, deps.channel, await deps.directory.now());
      resolved = { ...task, payload: { ...payload, recipients: r.recipients }, results: withoutDropped(task.results, r.recipients) };
      facts = { ...r.facts };
    }
    const reachable = resolved.payload.recipients?.length ?? 0;
    if (payload.precondition) {
      const check = await deps.check(payload.precondition, { id: task.id, channel: deps.channel, reachable, facts });
      if (!check.ok) return { settle: 'suppressed', code: 'PRECONDITION_FAILED', message: check.reason, task: resolved };
    }
    if (reachable === 0) {
      return { settle: 'failed', code: 'NO_RECIPIENTS', message: `nobody named by this task can get a ${deps.channel} message now`, task: resolved };
    }
    return { send: resolved };
  }
  return {
    before: (task) => (task.payload.sendTimeTargets?.length || task.payload.precondition ? prepare(task) : undefined),
  };
}

/**
 * A recipient an earlier attempt left to retry, whom the targets no longer name (the directory
 * changed between attempts), is settled as suppressed: otherwise the task would retry it forever.
 */
function withoutDropped(results: ClaimedTask<unknown>['results'], recipients: Array<{ address: string }>): ClaimedTask<unknown>['results'] {
  const named = new Set(recipients.map((r) => r.address));
  const out = { ...results };
  for (const [address, r] of Object.entries(results)) {
    if (r.status === 'retry' && !named.has(address)) {
      out[address] = { status: 'suppressed', at: new Date().toISOString(), code: 'NOT_NAMED_NOW', message: 'the send-time targets no longer name this recipient' };
    }
  }
  return out;
}
