import { createDirectory } from '../../src/resolver/directory';
import { resolveSendTimeTargets } from '../../src/service/send-time-recipients';

const directory = createDirectory([
  { name: 'boss', phone: '+8613800000009', email: 'boss@example.com', groups: ['leads'] },
  { name: 'dora', phone: ' +8613800000011 ', groups: ['leads'] },
  { name: 'emil', email: 'emil@example.com', groups: ['leads'] },
]);
const at = { directory, atMs: 1_796_051_113_103 };
const targets = [
  { target: 'group:leads', rule: 'escalation:db#1' },
  { target: 'nobody', rule: 'escalation:db#1' },
];

describe('resolveSendTimeTargets', () => {
  it('adds the SMS recipients the targets name now, after the payload\'s own, once per phone', () => {
    const own = [{ name: 'boss', address: '+8613800000009', rules: ['route:db'] }];
    const r = resolveSendTimeTargets({ recipients: own, sendTimeTargets: targets }, 'sms', at);
    expect(r.recipients).toEqual([
      { name: 'boss', address: '+8613800000009', rules: ['route:db', 'escalation:db#1'] },
      { name: 'dora', address: '+8613800000011', rules: ['escalation:db#1'] },
    ]);
    expect(r.facts).toEqual({ recipients: ['dora'], unknownTargets: ['nobody'], noPhone: ['emil'] });
    // The payload's own list is left as it was.
    expect(own).toEqual([{ name: 'boss', address: '+8613800000009', rules: ['route:db'] }]);
  });

  it('reads email addresses for the email channel', () => {
    const r = resolveSendTimeTargets({ recipients: [], sendTimeTargets: targets.slice(0, 1) }, 'email', at);
    expect(r.recipients.map((x) => x.address)).toEqual(['boss@example.com', 'emil@example.com']);
    expect(r.facts).toEqual({ recipients: ['boss', 'emil'], noEmail: ['dora'] });
  });

  it('turns a robot target into a chat recipient (its name), and into nobody on the other channels', () => {
    const withRobot = createDirectory([{ name: 'boss', phone: '+8613800000009', groups: ['leads'] }], [], [{ name: 'ops-room', type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}' }]);
    const sendTimeTargets = [
      { target: 'robot:ops-room', rule: 'escalation:db#1' },
      { target: 'boss', rule: 'escalation:db#1' },
    ];
    const chat = resolveSendTimeTargets({ recipients: [], sendTimeTargets }, 'chat', { directory: withRobot, atMs: at.atMs });
    expect(chat.recipients).toEqual([{ name: 'robot:ops-room', address: 'ops-room', rules: ['escalation:db#1'] }]);
    const sms = resolveSendTimeTargets({ recipients: [], sendTimeTargets }, 'sms', { directory: withRobot, atMs: at.atMs });
    expect(sms.recipients.map((r) => r.name)).toEqual(['boss']);
  });
});
