import type Redis from 'ioredis';
import { TaskQueue, type TaskRecord } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix, waitFor } from '@alertgw/testkit';
import type { SmsPayload } from '../src/digest';
import type { FakeTencent } from './support/fake-tencent';
import { captureLogs, domesticNumbers, leaks, smsConfig, smsPayload, startFake } from './support/harness';
import { startReplica, type Replica } from './support/replicas';

describe('notifier-sms on the shared worker: Tencent fake + real Redis', () => {
  let fake: FakeTencent;
  let redis: Redis;
  let prefix: string;
  let replicas: Replica[];
  let logs: ReturnType<typeof captureLogs>;
  let queue: TaskQueue<SmsPayload>;
  const allPhones = new Set<string>();

  beforeAll(async () => {
    fake = await startFake();
    redis = testRedis();
  });
  afterAll(async () => {
    await fake.close();
    redis.disconnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sms-w');
    replicas = [];
    logs = captureLogs();
    queue = new TaskQueue<SmsPayload>({ redis, prefix, name: 'sms' });
    fake.reset();
  });
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    // No full phone number, SecretId or SecretKey in any line any replica or the worker logged.
    expect(leaks(logs.lines, [...allPhones])).toEqual([]);
    await deleteKeys(redis, `{${prefix}`);
  });

  const start = (n: number, config = smsConfig(fake), extra: { secretKey?: string } = {}) => {
    for (let i = 0; i < n; i++) replicas.push(startReplica({ prefix, config, logger: logs.logger, ...extra }));
  };
  const enqueue = async (phones: string[], over: Parameters<typeof smsPayload>[1] = {}) => {
    phones.forEach((p) => allPhones.add(p));
    return (await queue.enqueue({ payload: smsPayload(phones, over), severityRank: 1 })).id;
  };
  const settled = (id: string, status: 'completed' | 'dead') =>
    waitFor(async () => {
      const t = await queue.get(id);
      return t?.status === status ? t : null;
    }, 10_000, `task ${id} ${status}`) as Promise<TaskRecord<SmsPayload>>;
  const requestsWith = (phone: string) => fake.sendSmsCalls.filter((c) => (c.body as { PhoneNumberSet: string[] }).PhoneNumberSet.includes(phone)).length;

  it('mixed results in one call: Ok never again, transient retried then delivered, permanent recorded and not retried', async () => {
    const [ok, limited, invalid] = domesticNumbers(3, 100);
    fake.answerNumbers((p, { attempt }) =>
      p === limited && attempt === 1 ? 'LimitExceeded.PhoneNumberThirtySecondLimit' : p === invalid ? 'InvalidParameterValue.IncorrectPhoneNumber' : 'Ok',
    );
    start(1);
    const id = await enqueue([ok, limited, invalid]);
    const task = await settled(id, 'dead');
    expect(requestsWith(ok)).toBe(1);
    expect(requestsWith(limited)).toBe(2);
    expect(requestsWith(invalid)).toBe(1);
    expect(fake.deliveredTo(ok)).toHaveLength(1);
    expect(fake.deliveredTo(limited)).toHaveLength(1);
    expect(task.attempts).toBe(2);
    expect(task.results[ok]).toMatchObject({ status: 'delivered', code: 'Ok', detail: { Fee: 1, Code: 'Ok' } });
    expect(task.results[limited]).toMatchObject({ status: 'delivered', code: 'Ok' });
    expect(task.results[invalid]).toMatchObject({ status: 'failed', code: 'InvalidParameterValue.IncorrectPhoneNumber' });
    expect(fake.deliveredTo(ok)[0].sessionContext).toBe(id);
  });

  it('InternalError twice, then Ok: exactly one SMS per number', async () => {
    const phones = domesticNumbers(3, 200);
    fake.answerCalls((_req, { call }) => (call <= 2 ? { Code: 'InternalError.Timeout', Message: 'request timed out' } : undefined));
    start(1);
    const id = await enqueue(phones);
    const task = await settled(id, 'completed');
    expect(fake.sendSmsCalls.map((c) => c.error ?? 'ok')).toEqual(['InternalError.Timeout', 'InternalError.Timeout', 'ok']);
    for (const p of phones) expect(fake.deliveredTo(p)).toHaveLength(1);
    expect(task.attempts).toBe(3);
    expect(Object.values(task.results).every((r) => r.status === 'delivered')).toBe(true);
  });

  it('a wrong SecretKey is permanent and clearly logged, with no retry storm', async () => {
    start(2, smsConfig(fake), { secretKey: 'wrongKeyForTestsOnly000000000000' });
    const ids = [await enqueue(domesticNumbers(2, 300)), await enqueue(domesticNumbers(2, 302)), await enqueue(['+14155550100'])];
    const tasks = await Promise.all(ids.map((id) => settled(id, 'dead')));
    expect(tasks.map((t) => t.attempts)).toEqual([1, 1, 1]);
    // One call per task, none repeated: the whole fleet stops at the first refusal.
    expect(fake.sendSmsCalls).toHaveLength(3);
    expect(fake.sendSmsCalls.every((c) => c.error === 'AuthFailure.SignatureFailure')).toBe(true);
    for (const t of tasks) expect(Object.values(t.results).every((r) => r.status === 'failed' && r.code === 'AuthFailure.SignatureFailure')).toBe(true);
    const errorLines = logs.lines.filter((l) => l.includes('"level":"error"') && l.includes('SMS configuration error'));
    expect(errorLines).toHaveLength(3);
    expect(errorLines[0]).toContain('AuthFailure.SignatureFailure');
    const metric = await Promise.all(replicas.map((r) => r.registry.getSingleMetricAsString('alertgw_channel_config_errors_total')));
    const total = metric.join('\n').match(/code="AuthFailure\.SignatureFailure"} (\d+)/g)?.map((m) => Number(m.split(' ').pop())) ?? [];
    expect(total.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it.each([1, 2])('storm control with %i replica(s): 30 alerts to one phone → budget + one summary that counts the rest', async (n) => {
    const phone = '+8613912345678';
    const windowMs = 2000;
    start(n, smsConfig(fake, { budget: { maxPerWindow: 5, windowMs } }));
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await enqueue([phone], { alertname: `Alert${i}`, instance: `db-${i}` }));
    // 30 tasks and one summary task, all settled; then nothing else may arrive.
    await waitFor(async () => (await queue.counts()).completed === 31, 15_000, '31 completed tasks');
    const sms = fake.deliveredTo(phone);
    expect(sms).toHaveLength(6);
    const tasks = await Promise.all(ids.map((id) => queue.get(id)));
    const merged = tasks.filter((t) => t!.results[phone].status === 'merged');
    expect(merged).toHaveLength(25);
    const digestIds = new Set(merged.map((t) => t!.results[phone].detail?.digestTaskId));
    expect(digestIds.size).toBe(1);
    const [digestId] = [...digestIds] as string[];
    const digest = (await queue.get(digestId))!;
    expect(digest.results[phone]).toMatchObject({ status: 'delivered', detail: { digest: { merged: 25, firing: 25 } } });
    // The summary went out once the window allowed it, and its count parameter says 25.
    const summary = sms.find((s) => s.sessionContext === digestId)!;
    expect(summary.params[3]).toBe('25');
    expect(summary.params[4]).toMatch(/^25 more alerts firi/);
    // Slots are taken before the HTTP call, so measure against the due time Redis computed
    // (oldest slot + window), not against when the first SMS happened to reach the fake.
    const sendAfter = Math.min(...merged.map((t) => Date.parse(String(t!.results[phone].detail?.sendAfter))));
    expect(summary.at).toBeGreaterThanOrEqual(sendAfter - 5);
    expect(summary.at - sms[0].at).toBeGreaterThan(windowMs / 2);
    expect(sms.filter((s) => s.sessionContext !== digestId)).toHaveLength(5);
  });

  it('dry-run through the worker: the task completes with the exact request recorded, nothing is sent', async () => {
    start(1, smsConfig(null));
    const phones = ['+8613800000000', '+14155550100'];
    const id = await enqueue(phones);
    const task = await settled(id, 'completed');
    expect(fake.calls).toHaveLength(0);
    expect(Object.values(task.results).map((r) => r.status)).toEqual(['dry-run', 'dry-run']);
    const requests = task.info?.dryRun as Array<{ PhoneNumberSet: string[]; SessionContext: string }>;
    expect(requests.map((r) => [r.PhoneNumberSet, r.SessionContext])).toEqual([
      [['+8613800000000'], id],
      [['+14155550100'], id],
    ]);
  });

  it('two replicas draining 1,000 SMS tasks: every number gets each notification once', async () => {
    const pool = domesticNumbers(100, 1000);
    // Some numbers hit a transient error the first time they are seen: retries must resend only them.
    fake.answerNumbers((p, { attempt }) => (attempt === 1 && p.endsWith('7') ? 'InternalError.SendAndRecvFail' : 'Ok'));
    const expected = new Set<string>();
    const pipeline = redis.pipeline();
    for (let i = 0; i < 1000; i++) {
      const phones = [pool[i % 100], pool[(i * 7 + 31) % 100]].filter((p, j, a) => a.indexOf(p) === j);
      phones.forEach((p) => allPhones.add(p));
      queue.addEnqueueToPipeline(pipeline, { payload: smsPayload(phones), severityRank: i % 3 });
      phones.forEach((p) => expected.add(`${i}|${p}`));
    }
    const replies = (await pipeline.exec()) ?? [];
    const taskIds = replies.map(([, r]) => queue.parseEnqueueReply(r).id);
    start(2, smsConfig(fake), {});
    await waitFor(async () => (await queue.counts()).completed === 1000, 60_000, '1000 completed tasks');
    const got = fake.deliveries.map((d) => `${taskIds.indexOf(d.sessionContext!)}|${d.phone}`);
    expect(got.length).toBe(expected.size);
    expect(new Set(got)).toEqual(expected);
    const workedBy = await Promise.all(taskIds.slice(0, 200).map(async (id) => (await queue.get(id))?.owner));
    expect(new Set(workedBy).size).toBe(2);
  });
});
