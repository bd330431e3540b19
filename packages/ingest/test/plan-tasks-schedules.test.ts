import { DateTime } from 'luxon';
import { buildConfig, createDirectory, createResolver, directoryFromConfig, type WebhookMessage } from '@alertgw/shared';
import { planTasks } from '../src/plan-tasks';
import { baseConfig, loadFixtures, TEST_ENV } from './support/harness';

const fixture = (name: string) => structuredClone(loadFixtures().find((f) => f.name === name)!.body) as WebhookMessage;
const shanghai = (local: string) => DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toJSDate();

/** The harness config with a daily 10:00 handover between oncall-a and zhangsan, named by mandatory only. */
function config() {
  const raw = baseConfig('p') as Record<string, any>;
  raw.schedulesTimeZone = 'Asia/Shanghai';
  raw.schedules = [{ name: 'primary', layers: [{ members: ['oncall-a', 'zhangsan'], rotation: 'day', start: '2026-03-01', handoverTime: '10:00' }] }];
  raw.mandatory = ['schedule:primary'];
  raw.routes = [];
  raw.ownerLabel = '';
  return buildConfig(raw, TEST_ENV);
}

function plan(receivedAt: Date) {
  const cfg = config();
  const channels = Object.keys(cfg.channels);
  return planTasks(fixture('firing-truncated-basic-auth.json'), { config: cfg, resolver: createResolver(cfg, channels), channels, deliveryKey: 'k', receivedAt });
}

describe('planTasks with on-call schedules', () => {
  it('puts schedule targets into sendTimeTargets instead of freezing who is on into recipients', () => {
    const p = plan(shanghai('2026-03-02T09:59'));
    expect(p.tasks.map((t) => t.channel)).toEqual(['email', 'sms']);
    for (const t of p.tasks) {
      expect(t.payload.recipients).toEqual([]);
      expect(t.payload.sendTimeTargets).toEqual([{ target: 'schedule:primary', rule: 'mandatory' }]);
    }
  });

  it('decides at accept time whether a channel has anybody on call: 09:59 and 10:01 around the 10:00 handover', () => {
    // lisi has no phone; make him the 10:00 shift.
    const cfg = config();
    cfg.schedules[0]!.layers[0]!.members = ['oncall-a', 'lisi'];
    const channels = Object.keys(cfg.channels);
    const resolver = createResolver(cfg, channels);
    const at = (local: string) => planTasks(fixture('firing-truncated-basic-auth.json'), { config: cfg, resolver, channels, deliveryKey: 'k', receivedAt: shanghai(local) });
    expect(at('2026-03-02T09:59').tasks.map((t) => t.channel)).toEqual(['email', 'sms']);
    const after = at('2026-03-02T10:01');
    expect(after.tasks.map((t) => t.channel)).toEqual(['email']);
    expect(after.skipped.sms).toBe('nobody on call reachable on this channel');
    expect(after.unreachable).toEqual(['lisi@sms']);
  });

  // The send-time half of the contract (NotificationPayload.sendTimeTargets): whoever resolves a
  // payload's targets at a send attempt asks the live directory at that attempt's time. The worker
  // side is h/esc's; this pins what it must get from the directory with the payload ingest wrote.
  it('reaches different people when sent at 09:59 and at 10:01, from the same accepted task', () => {
    const cfg = config();
    const task = plan(shanghai('2026-03-02T09:00')).tasks.find((t) => t.channel === 'email')!;
    const doc = directoryFromConfig(cfg);
    expect(doc.schedules![0]!.timeZone).toBe('Asia/Shanghai');
    const directory = createDirectory(doc.users, doc.schedules);
    const sendTo = (local: string) =>
      task.payload.sendTimeTargets!.flatMap(({ target }) => {
        const e = directory.expand(target, shanghai(local).getTime());
        return e.ok ? e.users.map((u) => u.email) : [];
      });
    expect(sendTo('2026-03-02T09:59')).toEqual(['oncall-a@example.com']);
    expect(sendTo('2026-03-02T10:01')).toEqual(['zhangsan@example.com']);
  });
});
