import { createTimelineRecorder, notificationEvent, type Settled, type TaskRecord } from '@alertgw/shared';
import type { SmsPayload } from '../src/digest';
import { smsTimelineView } from '../src/timeline-view';

const smsNotificationEvent = (task: TaskRecord<SmsPayload>, settled: Settled) => notificationEvent('sms', task, settled, smsTimelineView);
const createSmsTimelineRecorder = (append: (fps: string[], e: unknown) => Promise<unknown>) => createTimelineRecorder<SmsPayload>('sms', append, smsTimelineView);
import { smsPayload } from './support/harness';

const task = (phones: string[]): TaskRecord<SmsPayload> => ({
  id: '42',
  queue: 'sms',
  status: 'completed',
  payload: smsPayload(phones),
  severityRank: 1,
  attempts: 1,
  maxAttempts: 10,
  results: {},
  createdAt: 0,
  updatedAt: 0,
});

describe('SMS timeline events', () => {
  it('shows each number masked, with its result, and where a merged notification went', () => {
    const event = smsNotificationEvent(task(['+8613912345678', '+8613900000000']), {
      status: 'completed',
      results: {
        '+8613912345678': { status: 'delivered', at: 't', code: 'Ok', detail: { SerialNo: '2019:1', Fee: 1 } },
        '+8613900000000': { status: 'merged', at: 't', code: 'StormControl', message: 'over budget', detail: { digestTaskId: '77', sendAfter: 'later' } },
      },
    });
    expect(event).toMatchObject({ type: 'notification', channel: 'sms', taskId: '42', delivered: 1, merged: 1 });
    expect(event.results).toEqual({
      '+86139****5678': { status: 'delivered', at: 't', code: 'Ok', serialNo: '2019:1', fee: 1 },
      '+86139****0000': { status: 'merged', at: 't', code: 'StormControl', message: 'over budget', digestTaskId: '77', sendAfter: 'later' },
    });
    expect(JSON.stringify(event)).not.toContain('13912345678');
  });

  it('appends the event to every alert of the group, and nothing for a summary task', async () => {
    const appended: Array<[string, unknown]> = [];
    const record = createSmsTimelineRecorder(async (fps, e) => appended.push(...fps.map((fp): [string, unknown] => [fp, e])));
    await record(task(['+8613912345678']), { status: 'completed', results: {} });
    expect(appended.map(([fp]) => fp)).toEqual(['f00dfeedbeef0001']);
    const digest = task(['+8613912345678']);
    digest.payload = { ...digest.payload, alerts: [] };
    await record(digest, { status: 'completed', results: {} });
    expect(appended).toHaveLength(1);
  });
});
