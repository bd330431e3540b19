import type { RobotConfig, RouteConfig, UserConfig } from '../../src/config/types';
import { createResolver } from '../../src/resolver/resolve-recipients';
import type { WebhookAlert } from '../../src/webhook/types';

// Obvious fakes: example.com mail, +86 138 0000 00xx phones, made-up chat ids.
const USERS: UserConfig[] = [
  { name: 'ops1', email: 'ops1@example.com', phone: '+8613800000001', groups: ['ops'], chatIds: { dingtalk: 'ding-ops1' } },
  { name: 'dba1', email: 'dba1@example.com', groups: ['dba'] },
  { name: 'alice', phone: '+8613800000003', groups: [], chatIds: { wecom: 'alice.w', feishu: 'ou_alice' } },
];
const ROBOTS: RobotConfig[] = [
  { name: 'ops-room', type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}' },
  { name: 'db-room', type: 'wecom', webhookUrl: '${CHAT_DB_WEBHOOK}' },
];
const ROUTES: RouteConfig[] = [
  { name: 'db-team', matchers: ['team="db"'], notify: ['group:dba', 'robot:db-room'] },
  { name: 'db-sms-only', matchers: ['team="db"'], notify: ['robot:ops-room'], channels: ['sms'] },
  { name: 'critical', matchers: ['severity="critical"'], notify: ['robot:db-room', 'robot:ghost'] },
];
const CHANNELS = ['email', 'sms', 'chat'];

function alert(fingerprint: string, labels: Record<string, string>): WebhookAlert {
  return { status: 'firing', labels, annotations: {}, startsAt: '2026-11-30T00:00:00Z', endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint };
}

describe('robots as recipients', () => {
  const resolver = createResolver({ users: USERS, robots: ROBOTS, mandatory: ['robot:ops-room', 'ops1'], ownerLabel: 'owner', routes: ROUTES }, CHANNELS);

  test('a robot target is a chat recipient only; users never are, and are not unreachable there', () => {
    const r = resolver.resolve([alert('f1', { team: 'db', severity: 'critical', owner: 'alice' })]);
    expect(r.byChannel.chat).toEqual([
      { name: 'robot:ops-room', address: 'ops-room', rules: ['mandatory'] },
      { name: 'robot:db-room', address: 'db-room', rules: ['route:db-team', 'route:critical'] },
    ]);
    expect(r.byChannel.email!.map((x) => x.name)).toEqual(['ops1', 'dba1']);
    expect(r.byChannel.sms!.map((x) => x.name)).toEqual(['ops1', 'alice']);
    expect(r.unreachable).toEqual([
      { user: 'dba1', channel: 'sms', rule: 'route:db-team' },
      { user: 'alice', channel: 'email', rule: 'label:owner' },
    ]);
    expect(r.unknownUsers).toEqual([{ name: 'robot:ghost', rule: 'route:critical', fingerprints: ['f1'] }]);
  });

  test('people: every user picked on any channel, once, in pick order (whom the chat message mentions)', () => {
    const r = resolver.resolve([alert('f1', { team: 'db', owner: 'alice,ops1' })]);
    expect(r.people.map((u) => u.name)).toEqual(['ops1', 'dba1', 'alice']);
    expect(r.people[2]!.chatIds).toEqual({ wecom: 'alice.w', feishu: 'ou_alice' });
  });

  test("a route's channels limit its robots too; a resolver without a chat channel ignores robots", () => {
    const r = resolver.resolve([alert('f2', { team: 'db' })]);
    // db-sms-only names ops-room for sms only: the chat entry comes from mandatory alone.
    expect(r.byChannel.chat!.find((x) => x.address === 'ops-room')!.rules).toEqual(['mandatory']);
    const noChat = createResolver({ users: USERS, robots: ROBOTS, mandatory: ['robot:ops-room'], ownerLabel: '', routes: [] }, ['email', 'sms']).resolve([alert('f3', {})]);
    expect(noChat.byChannel).toEqual({ email: [], sms: [] });
    expect(noChat.unknownUsers).toEqual([]);
  });
});
