import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import { TaskQueue, type ClaimedTask, type SmsConfig } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';
import type { SmsPayload } from '../src/digest';
import { createSmsChannel } from '../src/sms-channel';
import { createSmsMetrics } from '../src/sms-metrics';
import { createTencentSmsClient } from '../src/tencent-client';
import type { FakeTencent } from './support/fake-tencent';
import { DOMESTIC_TEMPLATE, INTL_TEMPLATE, SECRET_ID, SIGN, captureLogs, domesticNumbers, leaks, smsConfig, smsPayload, startFake } from './support/harness';

describe('SMS channel send() against the fake Tencent endpoint and real Redis', () => {
  let fake: FakeTencent;
  let redis: Redis;
  let prefix: string;
  beforeAll(async () => {
    fake = await startFake();
    redis = testRedis();
  });
  afterAll(async () => {
    await fake.close();
    redis.disconnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sms-ch');
    fake.reset();
  });
  afterEach(() => deleteKeys(redis, `{${prefix}`));

  function setup(config: SmsConfig, opts: { secretKey?: string } = {}) {
    const queue = new TaskQueue<SmsPayload>({ redis, prefix, name: 'sms' });
    const { logger, lines } = captureLogs();
    const registry = new Registry();
    const metrics = createSmsMetrics(registry);
    const t = config.tencent;
    const api = t.secretId
      ? createTencentSmsClient({ secretId: t.secretId, secretKey: opts.secretKey ?? t.secretKey, region: t.region, endpoint: t.endpoint, protocol: t.protocol })
      : null;
    const channel = createSmsChannel({ config, api, queue, logger, metrics });
    const claimOne = async (payload: SmsPayload): Promise<ClaimedTask<SmsPayload>> => {
      await queue.enqueue({ payload, severityRank: 1 });
      const c = await queue.claim('test');
      if (!c.task) throw new Error('nothing claimed');
      return c.task;
    };
    return { queue, channel, lines, registry, claimOne };
  }

  it('renders and cuts parameters (Chinese included), picks the template by country, and carries the task id', async () => {
    const { channel, claimOne, lines } = setup(smsConfig(fake));
    const phones = ['+8613900000001', '+8613900000002', '+14155550100'];
    const task = await claimOne(smsPayload(phones, { alertname: 'DiskFull', summary: '数据库服务器磁盘使用率超过百分之九十五，请立即处理' }));
    const out = await channel.send(task, phones, new AbortController().signal);

    expect(Object.values(out.results).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const calls = fake.sendSmsCalls.map((c) => c.body as Record<string, unknown>);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      PhoneNumberSet: ['+8613900000001', '+8613900000002'],
      TemplateId: DOMESTIC_TEMPLATE,
      SignName: SIGN,
      SessionContext: task.id,
      // 20 code points: 19 characters and the ellipsis, never half a character.
      TemplateParamSet: ['触发', 'DiskFull', 'critical', '1', '数据库服务器磁盘使用率超过百分之九十五…'],
    });
    expect(calls[1]).toMatchObject({ PhoneNumberSet: ['+14155550100'], TemplateId: INTL_TEMPLATE, TemplateParamSet: ['firing', 'DiskFull', '1', '数据库服务器磁盘使用率超过百分之九十五…'] });
    expect(calls[1]).not.toHaveProperty('SignName');
    const d = out.results['+8613900000001'];
    expect(d.detail).toMatchObject({ Code: 'Ok', Fee: 1, Message: 'send success' });
    expect(String(d.detail?.SerialNo)).toMatch(/^\d+:/);
    expect(leaks(lines, phones)).toEqual([]);
  });

  it('splits 250 numbers into 2 calls of 200 and 50', async () => {
    const { channel, claimOne } = setup(smsConfig(fake));
    const phones = domesticNumbers(250);
    const task = await claimOne(smsPayload(phones));
    const out = await channel.send(task, phones, new AbortController().signal);
    expect(fake.sendSmsCalls.map((c) => (c.body as { PhoneNumberSet: string[] }).PhoneNumberSet.length)).toEqual([200, 50]);
    expect(Object.values(out.results).filter((r) => r.status === 'delivered')).toHaveLength(250);
    expect(new Set(fake.deliveries.map((x) => x.phone)).size).toBe(250);
  });

  it('records each number by its own Code: a call can succeed and still fail some numbers', async () => {
    const { channel, claimOne } = setup(smsConfig(fake));
    const [ok, limited, blacklisted] = domesticNumbers(3);
    fake.answerNumbers((p) =>
      p === limited ? 'LimitExceeded.PhoneNumberThirtySecondLimit' : p === blacklisted ? { Code: 'FailedOperation.PhoneNumberInBlacklist', Message: `${p} is in the blacklist` } : 'Ok',
    );
    const task = await claimOne(smsPayload([ok, limited, blacklisted]));
    const out = await channel.send(task, [ok, limited, blacklisted], new AbortController().signal);
    expect(out.results[ok].status).toBe('delivered');
    expect(out.results[limited]).toMatchObject({ status: 'retry', code: 'LimitExceeded.PhoneNumberThirtySecondLimit' });
    expect(out.retryAfterMs).toBe(30_000);
    expect(out.results[blacklisted]).toMatchObject({ status: 'failed', code: 'FailedOperation.PhoneNumberInBlacklist' });
    // Tencent's message quoted the number; the stored reason masks it.
    expect(out.results[blacklisted].message).not.toContain(blacklisted.slice(1));
  });

  it('dry-run: builds the exact request, logs it masked, records it in the task', async () => {
    const { channel, claimOne, lines } = setup(smsConfig(null));
    const phones = ['+8613800000000', '+8613812345678'];
    const task = await claimOne(smsPayload(phones));
    const out = await channel.send(task, phones, new AbortController().signal);
    expect(fake.calls).toHaveLength(0);
    expect(out.results['+8613800000000']).toMatchObject({ status: 'dry-run', code: 'DryRun', detail: { request: 0, TemplateId: DOMESTIC_TEMPLATE, SignName: SIGN } });
    expect(out.info?.dryRun).toEqual([
      { PhoneNumberSet: phones, SmsSdkAppId: '1400000000', TemplateId: DOMESTIC_TEMPLATE, SignName: SIGN, TemplateParamSet: ['触发', 'DiskFull', 'critical', '1', 'disk almost full'], SessionContext: task.id },
    ]);
    const logged = lines.map((l) => JSON.parse(l) as { message: string; request?: { PhoneNumberSet: string[] } }).find((l) => l.message.startsWith('dry-run'));
    expect(logged?.request?.PhoneNumberSet).toEqual(['+86138****0000', '+86138****5678']);
    expect(leaks(lines, phones)).toEqual([]);
  });

  it('a number that is not E.164 fails without a call; no international template is a configuration error', async () => {
    const config = smsConfig(fake);
    delete config.templates.international;
    const { channel, claimOne, lines, registry } = setup(config);
    const task = await claimOne(smsPayload(['13800000000', '+14155550100']));
    const out = await channel.send(task, ['13800000000', '+14155550100'], new AbortController().signal);
    expect(out.results['13800000000']).toMatchObject({ status: 'failed', code: 'InvalidPhoneNumber' });
    expect(out.results['+14155550100']).toMatchObject({ status: 'failed', code: 'NoInternationalTemplate' });
    expect(fake.calls).toHaveLength(0);
    expect(lines.some((l) => l.includes('"level":"error"') && l.includes('NoInternationalTemplate'))).toBe(true);
    expect(await registry.getSingleMetricAsString('alertgw_channel_config_errors_total')).toContain('code="NoInternationalTemplate"} 1');
  });

  it('a wrong SecretKey fails every number permanently with one call, logged at error level and counted', async () => {
    const { channel, claimOne, lines, registry } = setup(smsConfig(fake), { secretKey: 'wrongKeyForTestsOnly000000000000' });
    const phones = [...domesticNumbers(250), '+14155550100'];
    const task = await claimOne(smsPayload(phones));
    const out = await channel.send(task, phones, new AbortController().signal);
    expect(fake.sendSmsCalls).toHaveLength(1);
    expect(fake.sendSmsCalls[0].error).toBe('AuthFailure.SignatureFailure');
    expect(Object.values(out.results).every((r) => r.status === 'failed' && r.code === 'AuthFailure.SignatureFailure')).toBe(true);
    const errors = lines.filter((l) => l.includes('"level":"error"'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('AuthFailure.SignatureFailure');
    expect(await registry.getSingleMetricAsString('alertgw_channel_config_errors_total')).toContain('code="AuthFailure.SignatureFailure"} 1');
    expect(leaks(lines, phones)).toEqual([]);
    expect(lines.join('\n')).not.toContain('wrongKeyForTestsOnly');
    expect(lines.join('\n')).not.toContain(SECRET_ID);
  });

  it("a template's refusal stops that template's other calls only; the other template still sends", async () => {
    const { channel, claimOne, registry } = setup(smsConfig(fake));
    const domestic = smsConfig(fake).templates.domestic.templateId;
    fake.answerCalls((req) => (req.TemplateId === domestic ? { Code: 'FailedOperation.TemplateIncorrectOrUnapproved', Message: 'template not approved' } : undefined));
    const phones = [...domesticNumbers(250), '+14155550100'];
    const task = await claimOne(smsPayload(phones));
    const out = await channel.send(task, phones, new AbortController().signal);
    // One domestic call refused (the second chunk is not sent), the international one made.
    expect(fake.sendSmsCalls.map((c) => (c.body as { TemplateId: string }).TemplateId).sort()).toEqual([domestic, smsConfig(fake).templates.international!.templateId].sort());
    expect(out.results['+14155550100']).toMatchObject({ status: 'delivered' });
    const refused = Object.entries(out.results).filter(([, r]) => r.code === 'FailedOperation.TemplateIncorrectOrUnapproved');
    expect(refused).toHaveLength(250);
    expect(refused.every(([, r]) => r.status === 'failed')).toBe(true);
    expect(await registry.getSingleMetricAsString('alertgw_channel_config_errors_total')).toContain('code="FailedOperation.TemplateIncorrectOrUnapproved"} 1');
  });

  it('refuses to start when a parameter expression does not render', () => {
    const config = smsConfig(fake);
    config.templates.domestic.params[1] = { expr: 'alertnme', maxLength: 10 };
    config.templates.international!.params[0] = { expr: '<%= status(', maxLength: 10 };
    const queue = new TaskQueue<SmsPayload>({ redis, prefix, name: 'sms' });
    expect(() => createSmsChannel({ config, api: null, queue, logger: captureLogs().logger })).toThrow(
      /sms\.templates\.domestic\.params\[1\]\.expr: does not render: alertnme is not defined[\s\S]*sms\.templates\.international\.params\[0\]\.expr/,
    );
  });
});
