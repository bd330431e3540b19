import type { WebhookMessage } from '@alertgw/shared';
import { planTasks } from '../src/plan-tasks';
import { buildConfig, createResolver } from '@alertgw/shared';
import { baseConfig, loadFixtures, TEST_ENV } from './support/harness';

const fixture = (name: string) => structuredClone(loadFixtures().find((f) => f.name === name)!.body) as WebhookMessage;

function plan(msg: WebhookMessage, patch: (raw: Record<string, any>) => void = () => {}, acked?: ReadonlyMap<string, { startsAt: string }>) {
  const raw = baseConfig('p') as Record<string, any>;
  patch(raw);
  const config = buildConfig(raw, TEST_ENV);
  const channels = Object.keys(config.channels);
  return planTasks(msg, {
    config,
    resolver: createResolver(config, channels),
    channels,
    deliveryKey: 'k',
    receivedAt: new Date('2026-11-24T14:00:00Z'),
    acked,
  });
}

describe('planTasks', () => {
  it('makes one task per channel carrying the whole group, ranked by its highest severity', () => {
    const p = plan(fixture('firing-truncated-basic-auth.json'));
    expect(p.tasks.map((t) => [t.channel, t.severityRank, t.payload.alerts.length])).toEqual([
      ['email', 0, 3],
      ['sms', 0, 3],
    ]);
    expect(p.tasks[0].payload).toMatchObject({ status: 'firing', severity: 'critical', deliveryKey: 'k', receivedAt: '2026-11-24T14:00:00.000Z' });
    expect(p.tasks[0].payload.recipients.find((r) => r.name === 'zhangsan')?.rules).toEqual(['route:db-team', 'label:owner']);
    expect(p.tasks[1].payload.cc).toBeUndefined();
    expect(p.unreachable).toEqual(['lisi@sms']);
  });

  it('leaves resolved alerts out of SMS by default, and SMS out when nothing is left', () => {
    const msg = fixture('firing-truncated-basic-auth.json');
    msg.alerts[0].status = 'resolved';
    const p = plan(msg);
    const sms = p.tasks.find((t) => t.channel === 'sms')!;
    expect(sms.payload.alerts.map((a) => a.fingerprint)).toEqual([msg.alerts[1].fingerprint, msg.alerts[2].fingerprint]);
    // zhangsan owned only the resolved alert: on SMS only the route's dba members with a phone remain.
    expect(sms.payload.recipients.find((r) => r.name === 'zhangsan')?.rules).toEqual(['route:db-team']);
    expect(p.tasks.find((t) => t.channel === 'email')!.payload.alerts).toHaveLength(3);

    for (const a of msg.alerts) a.status = 'resolved';
    msg.status = 'resolved';
    const resolved = plan(msg);
    expect(resolved.tasks.map((t) => t.channel)).toEqual(['email']);
    expect(resolved.tasks[0].payload.status).toBe('resolved');
    expect(resolved.skipped.sms).toMatch(/status and severity/);
  });

  it('sends resolved SMS when the channel options say so', () => {
    const msg = fixture('mixed-resolved-and-firing.json');
    const p = plan(msg, (raw) => (raw.channels = { sms: { statuses: ['firing', 'resolved'] } }));
    const sms = p.tasks.find((t) => t.channel === 'sms')!;
    expect(sms.payload.alerts.map((a) => a.status)).toEqual(['resolved']);
    expect(sms.payload.status).toBe('resolved');
  });

  it('ranks unknown severities last-but-configured and skips disabled channels', () => {
    const msg = fixture('firing-one-alert-bearer.json');
    msg.alerts[0].labels.severity = 'Page-Me';
    const p = plan(msg, (raw) => (raw.channels = { sms: { enabled: false } }));
    expect(p.tasks.map((t) => [t.channel, t.severityRank, t.payload.severity])).toEqual([['email', 4, 'Page-Me']]);
    expect(p.skipped.sms).toBe('channel disabled');
  });

  it('merges config and route Cc once, leaving out addresses already in To', () => {
    const p = plan(fixture('firing-truncated-basic-auth.json'), (raw) => {
      raw.email = { cc: ['Audit@example.com', 'lisi@example.com'] };
      raw.routes[0].cc = ['audit@example.com', 'dba-list@example.com'];
    });
    expect(p.tasks[0].payload.cc).toEqual(['Audit@example.com', 'dba-list@example.com']);
  });

  it('skips a channel nobody can be reached on', () => {
    const p = plan(fixture('firing-truncated-basic-auth.json'), (raw) => {
      raw.mandatory = [];
      raw.routes = [];
      raw.ownerLabel = '';
    });
    expect(p.tasks).toEqual([]);
    expect(p.skipped).toEqual({ email: 'no recipient reachable on this channel', sms: 'no recipient reachable on this channel', chat: 'no recipient reachable on this channel' });
  });

  it('leaves out firing alerts acked for their current firing, and notifies nothing when only those are left', () => {
    const msg = fixture('firing-truncated-basic-auth.json');
    const [first, second, third] = msg.alerts;
    const acked = new Map([[first.fingerprint, { startsAt: first.startsAt }], [second.fingerprint, { startsAt: 'an earlier firing' }]]);
    const p = plan(msg, undefined, acked);
    expect(p.suppressed).toEqual([first.fingerprint]);
    expect(p.tasks.map((t) => t.payload.alerts.map((a) => a.fingerprint))).toEqual([
      [second.fingerprint, third.fingerprint],
      [second.fingerprint, third.fingerprint],
    ]);

    const all = new Map(msg.alerts.map((a) => [a.fingerprint, { startsAt: a.startsAt }]));
    const none = plan(msg, undefined, all);
    expect(none.tasks).toEqual([]);
    expect(none.skipped).toEqual({ email: 'every alert it would carry is acked', sms: 'every alert it would carry is acked', chat: 'every alert it would carry is acked' });
    expect(none.suppressed).toEqual(msg.alerts.map((a) => a.fingerprint));

    // A resolved alert is never left out, acked or not.
    third.status = 'resolved';
    expect(plan(msg, undefined, all).tasks.map((t) => [t.channel, t.payload.alerts.map((a) => a.fingerprint)])).toEqual([['email', [third.fingerprint]]]);
  });
});
