import { freePort } from '@alertgw/shared';
import { createTencentSmsClient } from '../src/tencent-client';
import { countPlaceholders, verifyTemplates } from '../src/verify-templates';
import type { FakeTencent } from './support/fake-tencent';
import { SECRET_ID, SECRET_KEY, captureLogs, smsConfig, startFake } from './support/harness';

describe('startup check of templates against DescribeSmsTemplateList', () => {
  let fake: FakeTencent;
  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(() => fake.close());
  const api = (secretKey = SECRET_KEY, endpoint = fake.endpoint) =>
    createTencentSmsClient({ secretId: SECRET_ID, secretKey, region: 'ap-guangzhou', endpoint, protocol: 'http:' });

  it('counts distinct {n} placeholders', () => {
    expect(countPlaceholders('{1}告警 {2}，级别 {3}，共 {4} 条：{5}')).toBe(5);
    expect(countPlaceholders('{1} and again {1}')).toBe(1);
    expect(countPlaceholders('no variables')).toBe(0);
  });

  it('passes when each template exists and takes as many parameters as configured', async () => {
    expect(await verifyTemplates(api(), smsConfig(fake).templates, captureLogs().logger)).toEqual([]);
  });

  it('lists a parameter count mismatch and an unknown template, with config paths', async () => {
    const templates = smsConfig(fake).templates;
    templates.domestic.params.pop();
    templates.international!.templateId = '2999999';
    expect(await verifyTemplates(api(), templates, captureLogs().logger)).toEqual([
      { path: 'sms.templates.domestic.params', message: 'template 1000001 takes 5 parameter(s) but 4 are configured' },
      { path: 'sms.templates.international.templateId', message: 'template 2999999 not found among your international templates' },
    ]);
  });

  it('wrong credentials are a startup problem; an unreachable Tencent only a warning', async () => {
    const wrong = await verifyTemplates(api('wrongKeyForTestsOnly000000000000'), smsConfig(fake).templates, captureLogs().logger);
    expect(wrong).toHaveLength(1);
    expect(wrong[0].path).toBe('sms.tencent');
    expect(wrong[0].message).toContain('AuthFailure.SignatureFailure');
    const { logger, lines } = captureLogs();
    const down = await verifyTemplates(api(SECRET_KEY, `127.0.0.1:${await freePort()}`), smsConfig(fake).templates, logger);
    expect(down).toEqual([]);
    expect(lines.filter((l) => l.includes('"level":"warn"'))).toHaveLength(2);
  });
});
