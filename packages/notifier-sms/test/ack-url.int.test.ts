import type Redis from 'ioredis';
import { AckTokenCodec, createAckLinkIssuer, readAckCode, TaskQueue, type SmsConfig } from '@alertgw/shared';
import { deleteKeys, testRedis, uniquePrefix } from '@alertgw/testkit';
import type { SmsPayload } from '../src/digest';
import { createSmsChannel } from '../src/sms-channel';
import { captureLogs, DOMESTIC_TEMPLATE, smsConfig, smsPayload } from './support/harness';

const KEY = 'sms-ack-url-test-key-0123456789abcdef01';
const BASE = 'https://alerts.example.com';

// Dry run: the SendSms requests are built exactly as they would go out, and kept in the outcome.
describe('the ackUrl, ackToken and ackCode template parameters', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = testRedis();
  });
  afterAll(() => {
    redis.disconnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sms-ack');
  });
  afterEach(() => deleteKeys(redis, `{${prefix}`));

  const send = async (config: SmsConfig, phones: string[]) => {
    const queue = new TaskQueue<SmsPayload>({ redis, prefix, name: 'sms' });
    const ackLinks = createAckLinkIssuer({ baseUrl: BASE, key: KEY, lifetimeMs: 3_600_000, prefix }, redis);
    const channel = createSmsChannel({ config, api: null, queue, logger: captureLogs().logger, ackLinks });
    await queue.enqueue({ payload: smsPayload(phones), severityRank: 1 });
    const { task } = await queue.claim('test');
    return channel.send(task!, phones, new AbortController().signal);
  };
  const requests = (out: Awaited<ReturnType<typeof send>>) => out.info!.dryRun as Array<{ PhoneNumberSet: string[]; TemplateParamSet: string[] }>;
  const withParams = (params: SmsConfig['templates']['domestic']['params']) => {
    const config = smsConfig(null);
    return { ...config, templates: { domestic: { templateId: DOMESTIC_TEMPLATE, params } } };
  };

  it('signs one link per number, for that number\'s user, each in its own call', async () => {
    const phones = ['+8613900000001', '+8613900000002'];
    const out = await send(withParams([{ expr: 'alertname', maxLength: 20 }, { expr: 'ackUrl', maxLength: 200 }, { expr: 'ackToken', maxLength: 64 }]), phones);
    const sent = requests(out);
    expect(sent.map((r) => r.PhoneNumberSet)).toEqual([[phones[0]], [phones[1]]]);
    const codec = new AckTokenCodec(KEY, prefix);
    sent.forEach((r, i) => {
      const [, url, token] = r.TemplateParamSet;
      expect(url).toBe(`${BASE}/ack/${token}`);
      expect(codec.verify(token!, Date.now())).toMatchObject({ ok: true, claims: { recipient: `user${i}`, subject: { kind: 'alert', fingerprint: 'f00dfeedbeef0001' } } });
    });
  });

  it('gives each number a 10-character code that stands, in Redis, for the link signed for its user', async () => {
    const phones = ['+8613900000001', '+8613900000002'];
    const out = await send(withParams([{ expr: 'ackCode', maxLength: 12 }]), phones);
    const sent = requests(out);
    expect(sent.map((r) => r.PhoneNumberSet)).toEqual([[phones[0]], [phones[1]]]);
    const codec = new AckTokenCodec(KEY, prefix);
    const codes = sent.map((r) => r.TemplateParamSet[0]!);
    expect(new Set(codes).size).toBe(2);
    for (const [i, code] of codes.entries()) {
      expect(code).toMatch(/^[0-9A-Za-z]{10}$/);
      const token = await readAckCode(redis, prefix, code);
      expect(codec.verify(token!, Date.now())).toMatchObject({ ok: true, claims: { recipient: `user${i}` } });
    }
    // Unknown, malformed or foreign codes stand for nothing.
    expect(await readAckCode(redis, prefix, 'AAAAAAAAAA')).toBeUndefined();
    expect(await readAckCode(redis, prefix, `${codes[0]!.slice(0, 9)}:`)).toBeUndefined();
    expect(await readAckCode(redis, `${prefix}x`, codes[0]!)).toBeUndefined();
  });

  it('keeps one call for every number when the template does not print a link', async () => {
    const phones = ['+8613900000001', '+8613900000002', '+8613900000003'];
    const out = await send(withParams([{ expr: 'alertname', maxLength: 20 }]), phones);
    expect(requests(out).map((r) => r.PhoneNumberSet)).toEqual([phones]);
  });
});
