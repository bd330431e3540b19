import { GatewayError, freePort } from '@alertgw/shared';
import { createTencentSmsClient } from '../src/tencent-client';
import { FakeTencent } from './support/fake-tencent';

const SECRET_ID = 'AKID-fake-test-id-not-real';
const SECRET_KEY = 'fakeTestSecretKey0000000000000000';

describe('Tencent SMS client against a local TC3-checking endpoint', () => {
  let fake: FakeTencent;
  beforeAll(async () => {
    fake = await new FakeTencent({
      secretId: SECRET_ID,
      secretKey: SECRET_KEY,
      smsSdkAppId: '1400000000',
      signNames: ['告警网关'],
      templates: { '100001': { content: '{1}告警：{2}', international: false }, '200001': { content: 'Alert {1}: {2}', international: true } },
    }).start();
  });
  afterAll(() => fake.close());

  const client = (secretKey = SECRET_KEY) =>
    createTencentSmsClient({ secretId: SECRET_ID, secretKey, region: 'ap-guangzhou', endpoint: fake.endpoint, protocol: 'http:' });

  it('sends a SendSms the fake accepts, with per-number statuses', async () => {
    fake.answerNumbers((phone) => (phone.endsWith('0002') ? 'InvalidParameterValue.IncorrectPhoneNumber' : 'Ok'));
    const res = await client().sendSms({
      PhoneNumberSet: ['+8613800000001', '+8613800000002'],
      SmsSdkAppId: '1400000000',
      TemplateId: '100001',
      SignName: '告警网关',
      TemplateParamSet: ['严重', '磁盘满'],
      SessionContext: 'task-1',
    });
    expect(res.RequestId).toMatch(/^[0-9a-f]{32}$/);
    expect(res.SendStatusSet?.map((s) => [s.PhoneNumber, s.Code, s.SessionContext])).toEqual([
      ['+8613800000001', 'Ok', 'task-1'],
      ['+8613800000002', 'InvalidParameterValue.IncorrectPhoneNumber', 'task-1'],
    ]);
    expect(fake.deliveredTo('+8613800000001')[0].params).toEqual(['严重', '磁盘满']);
  });

  it('a wrong SecretKey is AuthFailure.SignatureFailure: a permanent configuration error', async () => {
    const err = await client('wrongWrongWrongWrongWrong0000000')
      .sendSms({ PhoneNumberSet: ['+8613800000001'], SmsSdkAppId: '1400000000', TemplateId: '100001', SignName: '告警网关', TemplateParamSet: ['a', 'b'] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('SEND_CONFIG');
    expect((err as GatewayError).retryable).toBe(false);
    expect((err as GatewayError).details).toMatchObject({ providerCode: 'AuthFailure.SignatureFailure', scope: 'account' });
    expect((err as GatewayError).message).not.toContain('wrongWrong');
  });

  it('a refused connection is a transient NETWORK error', async () => {
    const port = await freePort();
    const c = createTencentSmsClient({ secretId: SECRET_ID, secretKey: SECRET_KEY, region: 'ap-guangzhou', endpoint: `127.0.0.1:${port}`, protocol: 'http:' });
    const err = (await c.sendSms({ PhoneNumberSet: ['+8613800000001'], SmsSdkAppId: '1', TemplateId: '1' }).catch((e: unknown) => e)) as GatewayError;
    expect(err.code).toBe('SEND_TRANSIENT');
    expect(err.details).toMatchObject({ providerCode: 'NETWORK' });
  });

  it('an aborted call is transient and ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    const err = (await client().sendSms({ PhoneNumberSet: ['+8613800000001'], SmsSdkAppId: '1400000000', TemplateId: '100001' }, ac.signal).catch((e: unknown) => e)) as GatewayError;
    expect(err.code).toBe('SEND_TRANSIENT');
    expect(err.details).toMatchObject({ providerCode: 'ABORTED' });
  });

  it('reads approved template content', async () => {
    const set = await client().describeTemplates(['200001'], true);
    expect(set.map((t) => [t.TemplateId, t.TemplateContent])).toEqual([[200001, 'Alert {1}: {2}']]);
  });
});
