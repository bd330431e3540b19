import type { WebhookMessage } from '@alertgw/shared';
import { buildConfig, createResolver } from '@alertgw/shared';
import { planTasks } from '../src/plan-tasks';
import { baseConfig, loadFixtures, TEST_ENV } from './support/harness';

const fixture = (name: string) => structuredClone(loadFixtures().find((f) => f.name === name)!.body) as WebhookMessage;

function plan(msg: WebhookMessage, patch: (raw: Record<string, any>) => void) {
  const raw = baseConfig('p') as Record<string, any>;
  patch(raw);
  const config = buildConfig(raw, TEST_ENV);
  const channels = Object.keys(config.channels);
  return planTasks(msg, { config, resolver: createResolver(config, channels), channels, deliveryKey: 'k', receivedAt: new Date('2026-11-30T14:00:00Z') });
}

const withRobot = (raw: Record<string, any>) => {
  raw.robots = [{ name: 'ops-room', type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}' }];
  raw.users[0].chatIds = { dingtalk: 'ding-0001' };
  raw.routes.push({ name: 'to-chat', matchers: ['severity=~".+"'], notify: ['robot:ops-room'] });
};

describe('planTasks: the chat task', () => {
  it('goes to the robots named, carrying the people picked on any channel as owners', () => {
    const p = plan(fixture('firing-truncated-basic-auth.json'), withRobot);
    const chat = p.tasks.find((t) => t.channel === 'chat')!;
    expect(chat.payload.recipients).toEqual([{ name: 'robot:ops-room', address: 'ops-room', rules: ['route:to-chat'] }]);
    const email = p.tasks.find((t) => t.channel === 'email')!;
    // The same people as the other channels picked (unreachable ones included), with phone and chat ids.
    expect(chat.payload.owners!.map((o) => o.name)).toEqual(expect.arrayContaining(email.payload.recipients.map((r) => r.name)));
    expect(chat.payload.owners![0]).toMatchObject({ chatIds: { dingtalk: 'ding-0001' } });
    expect(chat.payload.cc).toBeUndefined();
    expect(email.payload.owners).toBeUndefined();
    expect(p.unreachable.some((u) => u.endsWith('@chat'))).toBe(false);
  });

  it('is not planned without a robot recipient, nor when channels.chat is off or does not carry the alerts', () => {
    expect(plan(fixture('firing-truncated-basic-auth.json'), () => {}).skipped.chat).toBe('no recipient reachable on this channel');
    const off = plan(fixture('firing-truncated-basic-auth.json'), (raw) => {
      withRobot(raw);
      raw.channels = { ...raw.channels, chat: { enabled: false } };
    });
    expect(off.skipped.chat).toBe('channel disabled');
    const filtered = plan(fixture('firing-truncated-basic-auth.json'), (raw) => {
      withRobot(raw);
      raw.channels = { ...raw.channels, chat: { severities: ['info'] } };
    });
    expect(filtered.skipped.chat).toBe('no alert with a status and severity this channel carries');
  });
});
