import { taskForReader } from '../../src/queue/task-for-reader';
import type { TaskRecord } from '../../src/queue/types';

describe('taskForReader', () => {
  const phone = '+8613812345678';
  const task: TaskRecord<Record<string, unknown>> = {
    id: '42',
    queue: 'sms',
    status: 'completed',
    payload: { recipients: [{ name: 'ann', address: phone, rules: ['mandatory'] }], digest: { phone, gen: 1 } },
    severityRank: 0,
    attempts: 1,
    maxAttempts: 5,
    results: { [phone]: { status: 'dry-run', at: '2026-11-30T00:00:00.000Z', code: 'DryRun', detail: { request: 0 } } },
    lastError: `1 recipient(s) failed at ${phone}`,
    createdAt: 1,
    updatedAt: 2,
    token: 'lease-token-7',
    owner: 'sms-host-1',
    dedupKey: `digest:${phone}:1`,
    info: {
      dryRun: [{ PhoneNumberSet: [phone, '8613812345679'], TemplateId: '100', SmsSdkAppId: '1400000000' }],
      requestIds: ['req-1'],
      rawProviderAnswer: { Phone: phone },
    },
  };

  it('masks every phone number, wherever it sits, and keeps the rest', () => {
    const view = taskForReader(task);
    const text = JSON.stringify(view);
    expect(text).not.toMatch(/13812345678|13812345679/);
    expect(Object.keys(view.results)).toEqual(['+86138****5678']);
    expect(view.info).toEqual({
      dryRun: [{ PhoneNumberSet: ['+86138****5678', '86138****5679'], TemplateId: '100', SmsSdkAppId: '1400000000' }],
      requestIds: ['req-1'],
    });
    expect(view).toMatchObject({ id: '42', status: 'completed', attempts: 1, owner: 'sms-host-1', dedupKey: 'digest:+86138****5678:1' });
  });

  it('shows only allow-listed fields: no lease token, no info key a channel has not declared', () => {
    const view = taskForReader(task) as unknown as Record<string, unknown>;
    expect(view.token).toBeUndefined();
    expect(view.info).not.toHaveProperty('rawProviderAnswer');
  });
});
