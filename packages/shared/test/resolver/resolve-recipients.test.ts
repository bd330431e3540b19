import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RouteConfig, UserConfig } from '../../src/config/types';
import { GatewayError } from '../../src/errors';
import { createResolver } from '../../src/resolver/resolve-recipients';
import type { WebhookAlert, WebhookMessage } from '../../src/webhook/types';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';

const FIXTURES = AM_FIXTURES_DIR;
const fixture = (name: string): WebhookMessage => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')).body;

// Obvious fakes: example.com mail, +86 138 0000 00xx phones.
const USERS: UserConfig[] = [
  { name: 'ops1', email: 'ops1@example.com', phone: '+8613800000001', groups: ['ops'] },
  { name: 'ops2', email: 'ops2@example.com', groups: ['ops'] },
  { name: 'dba1', email: 'dba1@example.com', phone: '+8613800000011', groups: ['dba'] },
  { name: 'dba2', phone: '+8613800000012', groups: ['dba'] },
  { name: 'zhangsan', email: 'zhangsan@example.com', phone: '+8613800000013', groups: ['dba'] },
  { name: 'pay1', email: 'pay-team@example.com', groups: [] },
  { name: 'pay2', email: 'Pay-Team@example.com', phone: '+8613800000021', groups: [] },
];

const ROUTES: RouteConfig[] = [
  { name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], cc: ['dba-list@example.com'] },
  { name: 'db-critical-sms', matchers: ['team="db"', 'severity="critical"'], notify: ['dba1'], channels: ['sms'], cc: ['never@example.com'] },
  { name: 'payments', matchers: ['{"service.name"="支付", 环境=~"生产|预发"}'], notify: ['pay1', 'pay2'], cc: ['ops1@example.com'] },
  { name: 'critical-ops', matchers: ['severity=~"critical|page"'], notify: ['ops1'] },
];

const CFG = { users: USERS, mandatory: ['group:ops'], ownerLabel: 'owner', routes: ROUTES };
const CHANNELS = ['email', 'sms'];

function alert(fingerprint: string, labels: Record<string, string>): WebhookAlert {
  return {
    status: 'firing',
    labels,
    annotations: {},
    startsAt: '2024-01-01T00:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: '',
    fingerprint,
  };
}

const who = (list: Array<{ name: string; rules: string[] }>) => list.map((r) => `${r.name}:${r.rules.join('+')}`);

describe('createResolver().resolve', () => {
  const resolver = createResolver(CFG, CHANNELS);

  test('mandatory goes to every channel; a user without an address there is reported', () => {
    const r = resolver.resolve([alert('f1', { alertname: 'X', team: 'web', severity: 'warning' })]);
    expect(r.byChannel.email).toEqual([
      { name: 'ops1', address: 'ops1@example.com', rules: ['mandatory'] },
      { name: 'ops2', address: 'ops2@example.com', rules: ['mandatory'] },
    ]);
    expect(r.byChannel.sms).toEqual([{ name: 'ops1', address: '+8613800000001', rules: ['mandatory'] }]);
    expect(r.unreachable).toEqual([{ user: 'ops2', channel: 'sms', rule: 'mandatory' }]);
    expect(r.unknownUsers).toEqual([]);
    expect(r.cc).toEqual([]);
  });

  test('real Alertmanager 0.25 delivery: mandatory + every matching route + owner label, deduplicated', () => {
    const msg = fixture('firing-truncated-basic-auth.json');
    const r = resolver.resolve(msg.alerts);
    // Email: mandatory first, then routes in config order, then the owner label; rules merged.
    expect(who(r.byChannel.email!)).toEqual([
      'ops1:mandatory+route:critical-ops',
      'ops2:mandatory',
      'dba1:route:db-team',
      'zhangsan:route:db-team+label:owner',
    ]);
    // SMS: db-critical-sms only adds to sms, merging into dba1's entry from db-team.
    expect(who(r.byChannel.sms!)).toEqual([
      'ops1:mandatory+route:critical-ops',
      'dba1:route:db-team+route:db-critical-sms',
      'dba2:route:db-team',
      'zhangsan:route:db-team+label:owner',
    ]);
    expect(r.byChannel.sms!.map((x) => x.address)).toEqual(['+8613800000001', '+8613800000011', '+8613800000012', '+8613800000013']);
    expect(r.unreachable).toEqual([
      { user: 'ops2', channel: 'sms', rule: 'mandatory' },
      { user: 'dba2', channel: 'email', rule: 'route:db-team' },
    ]);
    // Only routes that cover email contribute Cc.
    expect(r.cc).toEqual(['dba-list@example.com']);
    expect(r.unknownUsers).toEqual([]);
  });

  test('a route matches a group when any of its alerts matches (no first-match-wins)', () => {
    const msg = fixture('mixed-resolved-and-firing.json'); // one critical (resolved), one warning
    const r = resolver.resolve(msg.alerts);
    expect(who(r.byChannel.email!)).toEqual(['ops1:mandatory+route:critical-ops', 'ops2:mandatory']);
  });

  test('an owner not in the directory is reported with the alerts that named it', () => {
    const r = resolver.resolve([
      alert('a1', { owner: 'ghost, zhangsan' }),
      alert('a2', { owner: 'ghost' }),
      alert('a3', { owner: 'group:dba' }), // the owner label names users, not groups
    ]);
    expect(who(r.byChannel.email!)).toEqual(['ops1:mandatory', 'ops2:mandatory', 'zhangsan:label:owner']);
    expect(r.unknownUsers).toEqual([
      { name: 'ghost', rule: 'label:owner', fingerprints: ['a1', 'a2'] },
      { name: 'group:dba', rule: 'label:owner', fingerprints: ['a3'] },
    ]);
  });

  test.each([
    ['zhangsan,dba1', ['zhangsan', 'dba1']],
    ['zhangsan dba1', ['zhangsan', 'dba1']],
    [' zhangsan ;  dba1 ,,', ['zhangsan', 'dba1']],
    ['dba1,dba1', ['dba1']],
    ['', []],
  ])('owner label %j names %j', (value, names) => {
    const r = createResolver({ ...CFG, mandatory: [], routes: [] }, ['email']).resolve([alert('a', { owner: value })]);
    expect(r.byChannel.email!.map((x) => x.name)).toEqual(names);
  });

  test('an owner label value stops at 20 names', () => {
    const users = Array.from({ length: 30 }, (_, i) => ({ name: `u${i}`, email: `u${i}@example.com`, groups: [] }));
    const owner = users.map((u) => u.name).join(',');
    const r = createResolver({ users, mandatory: [], ownerLabel: 'owner', routes: [] }, ['email']).resolve([alert('a', { owner })]);
    expect(r.byChannel.email).toHaveLength(20);
  });

  test('UTF-8 label names and Chinese values select a route; users sharing a mailbox get one copy', () => {
    const r = resolver.resolve([alert('p1', { 'service.name': '支付', 环境: '生产', severity: 'warning' })]);
    expect(r.byChannel.email).toEqual([
      { name: 'ops1', address: 'ops1@example.com', rules: ['mandatory'] },
      { name: 'ops2', address: 'ops2@example.com', rules: ['mandatory'] },
      { name: 'pay1', address: 'pay-team@example.com', rules: ['route:payments'] },
    ]);
    expect(who(r.byChannel.sms!)).toEqual(['ops1:mandatory', 'pay2:route:payments']);
    expect(r.unreachable).toContainEqual({ user: 'pay1', channel: 'sms', rule: 'route:payments' });
    // ops1 is already a To recipient, so the route's Cc adds nothing.
    expect(r.cc).toEqual([]);

    const other = resolver.resolve([alert('p2', { 'service.name': '支付', 环境: '测试' })]);
    expect(who(other.byChannel.email!)).toEqual(['ops1:mandatory', 'ops2:mandatory']);
  });

  test('no owner label configured: the label is ignored', () => {
    const r = createResolver({ ...CFG, ownerLabel: '' }, CHANNELS).resolve([alert('a', { owner: 'zhangsan,ghost' })]);
    expect(who(r.byChannel.email!)).toEqual(['ops1:mandatory', 'ops2:mandatory']);
    expect(r.unknownUsers).toEqual([]);
  });

  test('unknown names in mandatory or a route (config not checked) are reported, not dropped', () => {
    const r = createResolver(
      { users: USERS, mandatory: ['nobody'], ownerLabel: '', routes: [{ name: 'r', matchers: [], notify: ['group:empty'] }] },
      CHANNELS,
    ).resolve([alert('a', {}), alert('b', {})]);
    expect(r.unknownUsers).toEqual([
      { name: 'nobody', rule: 'mandatory', fingerprints: ['a', 'b'] },
      { name: 'group:empty', rule: 'route:r', fingerprints: ['a', 'b'] },
    ]);
  });

  test('only the channels asked for are filled; cc is empty without the email channel', () => {
    const r = createResolver(CFG, ['sms']).resolve(fixture('firing-truncated-basic-auth.json').alerts);
    expect(Object.keys(r.byChannel)).toEqual(['sms']);
    expect(r.cc).toEqual([]);
  });

  test('an empty group still notifies the mandatory list', () => {
    expect(who(resolver.resolve([]).byChannel.email!)).toEqual(['ops1:mandatory', 'ops2:mandatory']);
  });

  test('results are deterministic and not shared between calls', () => {
    const alerts = fixture('firing-truncated-basic-auth.json').alerts;
    const a = resolver.resolve(alerts);
    expect(resolver.resolve(alerts)).toEqual(a);
    a.byChannel.email![0]!.rules.push('mutated');
    expect(resolver.resolve(alerts).byChannel.email![0]!.rules).toEqual(['mandatory', 'route:critical-ops']);
  });

  test('a bad matcher fails construction with its config path', () => {
    const routes = [ROUTES[0]!, { name: 'bad', matchers: ['team="db"', 'severity=~"(critical"'], notify: ['ops1'] }];
    expect(() => createResolver({ ...CFG, routes }, CHANNELS)).toThrow(GatewayError);
    expect(() => createResolver({ ...CFG, routes }, CHANNELS)).toThrow(/^routes\[1\]\.matchers\[1\]: invalid matcher/);
  });

  // A backtracking engine takes exponential time on these; the whole resolve must stay fast.
  test.each(['(a+)+b', '(.*.*)*x'])('route regex %j against a 100k-character label resolves fast', (pattern) => {
    const routes = [...ROUTES, { name: 'hostile', matchers: [`instance=~"${pattern}"`], notify: ['dba2'] }];
    const hostile = createResolver({ ...CFG, routes }, CHANNELS);
    const alerts = [alert('f1', { team: 'db', instance: 'a'.repeat(100_000) }), alert('f2', { instance: 'y'.repeat(100_000) })];
    hostile.resolve([alert('warm', { instance: 'a' })]);
    const start = process.hrtime.bigint();
    const r = hostile.resolve(alerts);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(who(r.byChannel.email!)).toContain('dba1:route:db-team');
    expect(r.byChannel.sms!.some((x) => x.rules.includes('route:hostile'))).toBe(false);
    expect(ms).toBeLessThan(200);
  });

  test('a route regex matches with Go semantics (\\z, inline flags, POSIX and Unicode classes)', () => {
    const routes = [{ name: 'go', matchers: ['host=~"(?i)DB-[[:digit:]]+\\z"', 'owner=~"\\pL+"'], notify: ['dba2'] }];
    const go = createResolver({ ...CFG, ownerLabel: '', routes }, ['sms']);
    const picked = (labels: Record<string, string>): boolean =>
      go.resolve([alert('f', labels)]).byChannel.sms!.some((x) => x.rules.includes('route:go'));
    expect(picked({ host: 'db-12', owner: '张三' })).toBe(true);
    expect(picked({ host: 'db-12\n', owner: '张三' })).toBe(false);
    expect(picked({ host: 'db-12', owner: 'zhang3' })).toBe(false);
  });

  test('a channel with no address field fails construction', () => {
    expect(() => createResolver(CFG, ['email', 'pager'])).toThrow(/channel "pager" has no user address field/);
  });
});
