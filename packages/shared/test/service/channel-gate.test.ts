import type { NotificationPayload } from '../../src/notification';
import type { ClaimedTask } from '../../src/queue/types';
import { createDirectory } from '../../src/resolver/directory';
import { createChannelGate } from '../../src/service/channel-gate';
import type { SendTimeDirectory } from '../../src/service/send-time-directory';

function task(payload: Partial<NotificationPayload>): ClaimedTask<Partial<NotificationPayload>> {
  return { id: '7', queue: 'sms', status: 'active', payload, severityRank: 0, attempts: 1, maxAttempts: 10, results: {}, createdAt: 0, updatedAt: 0, token: '1' };
}

describe('the channel gate', () => {
  const untouchable = {
    now: () => {
      throw new Error('an ordinary task must not read the directory');
    },
  } as unknown as SendTimeDirectory;
  const noCheck = () => {
    throw new Error('an ordinary task must not be checked');
  };

  it('leaves a task without send-time targets or precondition alone, synchronously: no round trip', () => {
    const gate = createChannelGate<Partial<NotificationPayload>>({ channel: 'sms', directory: untouchable, check: noCheck });
    expect(gate.before(task({ recipients: [{ name: 'a', address: '+8613800000001', rules: ['mandatory'] }] }))).toBeUndefined();
    expect(gate.before(task({ recipients: [], sendTimeTargets: [] }))).toBeUndefined();
  });

  it('refuses as suppressed when the precondition fails, and as failed when nobody is left to send to', async () => {
    const directory = { now: async () => ({ directory: createDirectory([{ name: 'emil', email: 'e@example.com', groups: ['leads'] }]), atMs: 0 }) } as unknown as SendTimeDirectory;
    const precondition = { kind: 'escalation' as const, fingerprint: 'f', startsAt: 's', tier: 'db#1' };
    const payload = { recipients: [], sendTimeTargets: [{ target: 'group:leads', rule: 'escalation:db#1' }], precondition };
    const seen: unknown[] = [];
    const failing = createChannelGate<Partial<NotificationPayload>>({ channel: 'sms', directory, check: async (p, t) => (seen.push([p, t]), { ok: false, reason: 'acked' }) });
    expect(await failing.before(task(payload))).toMatchObject({ settle: 'suppressed', code: 'PRECONDITION_FAILED', message: 'acked' });
    expect(seen).toEqual([[precondition, { id: '7', channel: 'sms', reachable: 0, facts: { recipients: [], noPhone: ['emil'] } }]]);
    const passing = createChannelGate<Partial<NotificationPayload>>({ channel: 'sms', directory, check: async () => ({ ok: true, first: true }) });
    expect(await passing.before(task(payload))).toMatchObject({ settle: 'failed', code: 'NO_RECIPIENTS' });
  });

  it('settles as suppressed a recipient left to retry whom the targets no longer name', async () => {
    const directory = { now: async () => ({ directory: createDirectory([{ name: 'dora', phone: '+8613800000011', groups: ['leads'] }]), atMs: 0 }) } as unknown as SendTimeDirectory;
    const gate = createChannelGate<Partial<NotificationPayload>>({ channel: 'sms', directory, check: noCheck });
    const retried = { ...task({ recipients: [], sendTimeTargets: [{ target: 'group:leads', rule: 'r' }] }), results: { '+8613800000009': { status: 'retry' as const, at: 'x' } } };
    const verdict = await gate.before(retried);
    expect(verdict).toMatchObject({ send: { payload: { recipients: [{ name: 'dora', address: '+8613800000011', rules: ['r'] }] } } });
    expect(verdict && 'send' in verdict && verdict.send.results['+8613800000009']).toMatchObject({ status: 'suppressed', code: 'NOT_NAMED_NOW' });
  });
});
