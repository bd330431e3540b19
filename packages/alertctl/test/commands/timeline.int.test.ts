import type Redis from 'ioredis';
import { deleteKeys, testRedis } from '@alertgw/testkit';
import { appendTimelines, upsertAlerts } from '@alertgw/shared';
import { cliSetup, type CliSetup } from '../support/cli';

describe('alertctl timeline (real Redis)', () => {
  let redis: Redis;
  let setup: CliSetup;
  const fp = 'c0ffee00c0ffee00';
  const alert = (status: 'firing' | 'resolved') => ({
    status,
    labels: { alertname: 'DiskFull', severity: 'critical', instance: 'db-1' },
    annotations: { summary: 'Disk 97% full on db-1' },
    startsAt: '2026-11-28T03:00:00Z',
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-28T03:10:00Z',
    generatorURL: '',
    fingerprint: fp,
  });

  beforeAll(() => {
    redis = testRedis();
  });
  beforeEach(async () => {
    setup = cliSetup();
    const common = { prefix: setup.prefix, receiver: 'alertgw', groupKey: '{}:{alertname="DiskFull"}', retentionMs: 60_000 };
    await upsertAlerts(redis, {
      ...common,
      alerts: [alert('firing')],
      deliveryKey: 'dk1',
      tasks: [{ channel: 'email', taskId: '7', duplicate: false }, { channel: 'sms', taskId: '3', duplicate: false }],
      now: new Date('2026-11-28T03:00:30Z'),
    });
    await appendTimelines(redis, setup.prefix, [fp], {
      at: '2026-11-28T03:00:31.000Z',
      type: 'notification',
      channel: 'email',
      taskId: '7',
      taskStatus: 'completed',
      attempts: 1,
      accepted: ['alice@example.com'],
      rejected: [],
      results: { 'alice@example.com': { status: 'delivered', at: '2026-11-28T03:00:31.000Z', response: '250 OK' } },
    });
    await appendTimelines(redis, setup.prefix, [fp], {
      at: '2026-11-28T03:00:32.000Z',
      type: 'notification',
      channel: 'sms',
      taskId: '3',
      taskStatus: 'dead',
      attempts: 1,
      results: { '+8613800000001': { status: 'failed', at: '2026-11-28T03:00:32.000Z', code: 'FailedOperation.PhoneNumberInBlacklist' } },
    });
    await appendTimelines(redis, setup.prefix, [fp], { at: '2026-11-28T03:05:00.000Z', type: 'ack', by: 'alice', comment: 'on it' });
    await upsertAlerts(redis, { ...common, alerts: [alert('resolved')], deliveryKey: 'dk2', tasks: [], now: new Date('2026-11-28T03:10:30Z') });
  });
  afterEach(async () => {
    await deleteKeys(redis, setup.prefix);
    setup.cleanup();
  });
  afterAll(() => redis.quit());

  it('shows the record and every event, oldest first, with phone numbers masked', async () => {
    const r = await setup.run(['timeline', fp]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`DiskFull  RESOLVED  severity=critical  fingerprint ${fp}`);
    expect(lines[1]).toBe('labels:     alertname=DiskFull severity=critical instance=db-1');
    expect(lines[2]).toBe('summary:    Disk 97% full on db-1');
    expect(lines[3]).toBe('starts:     2026-11-28T03:00:00Z   ends: 2026-11-28T03:10:00Z');
    const events = lines.slice(lines.findIndex((l) => l.startsWith('TIME')) + 1).map((l) => l.split(/\s{2,}/));
    expect(events).toEqual([
      ['2026-11-28T03:00:30.000Z', 'received', 'firing via receiver alertgw'],
      ['2026-11-28T03:00:30.000Z', 'task-created', 'email task 7'],
      ['2026-11-28T03:00:30.000Z', 'task-created', 'sms task 3'],
      ['2026-11-28T03:00:31.000Z', 'notification', 'email task 7 completed, attempt 1: alice@example.com delivered'],
      ['2026-11-28T03:00:32.000Z', 'notification', 'sms task 3 dead, attempt 1: +86138****0001 failed (FailedOperation.PhoneNumberInBlacklist)'],
      ['2026-11-28T03:05:00.000Z', 'ack', '{"by":"alice","comment":"on it"}'],
      ['2026-11-28T03:10:30.000Z', 'received', 'resolved via receiver alertgw'],
    ]);
    expect(r.stdout).not.toContain('13800000001');
  });

  it('prints JSON with --json, numbers masked there too', async () => {
    const r = await setup.run(['timeline', fp, '--json']);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.alert).toEqual(expect.objectContaining({ fingerprint: fp, status: 'resolved', labels: alert('firing').labels }));
    expect(parsed.timeline).toHaveLength(7);
    expect(Object.keys(parsed.timeline[4].results)).toEqual(['+86138****0001']);
    expect(r.stdout).not.toContain('13800000001');
  });

  it('exits 1 with one line for an unknown fingerprint, 2 for something that is not one', async () => {
    expect(await setup.run(['timeline', 'ffffffffffffffff'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'alertctl timeline: no alert with fingerprint ffffffffffffffff (never received, or expired after it resolved)\n',
    });
    expect((await setup.run(['timeline', 'a b'])).code).toBe(2);
  });
});
