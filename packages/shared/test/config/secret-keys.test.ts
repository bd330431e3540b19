import { buildConfig } from '../../src/config/build-config';
import { findLiteralSecrets } from '../../src/config/secret-keys';
import { GatewayError } from '../../src/errors';

const REFUSED = 'must come from an environment variable (${NAME} or NAME_FILE), not the file';

describe('findLiteralSecrets', () => {
  const cases: Array<[string, unknown, string[]]> = [
    ['no secrets at all', {}, []],
    ['reference', { sms: { tencent: { secretId: '${ID}', secretKey: '${KEY}' } } }, []],
    ['empty string (dry run)', { sms: { tencent: { secretId: '', secretKey: '' } } }, []],
    ['empty default', { sms: { tencent: { secretId: '${ID:-}' } } }, []],
    ['two references', { email: { http: { bearerToken: '${A}${B}' } } }, []],
    ['literal', { sms: { tencent: { secretKey: 'abc' } } }, ['sms.tencent.secretKey']],
    ['non-empty default', { sms: { tencent: { secretId: '${ID:-AKIDfake}' } } }, ['sms.tencent.secretId']],
    ['literal around a reference', { email: { smtp: { auth: { user: 'u', pass: 'x${P}' } } } }, ['email.smtp.auth.pass']],
    ['number', { email: { http: { basic: { username: 'u', password: 12345 } } } }, ['email.http.basic.password']],
    ['escaped ${ is literal text', { email: { http: { bearerToken: '$${T}' } } }, ['email.http.bearerToken']],
    [
      'list entries, each by index',
      { ingest: { auth: { bearerTokens: ['${A}', 'lit', '${B:-x}', ''] } } },
      ['ingest.auth.bearerTokens[1]', 'ingest.auth.bearerTokens[2]'],
    ],
    [
      'basic auth passwords, not user names',
      { ingest: { auth: { basic: [{ username: 'am', password: 'pw' }, { username: 'x', password: '${P}' }] } } },
      ['ingest.auth.basic[0].password'],
    ],
    ['non-secret keys may be literal', { email: { smtp: { host: 'h', auth: { user: 'alerts@example.com' } } } }, []],
  ];
  test.each(cases)('%s', (_name, raw, paths) => {
    const got = findLiteralSecrets(raw);
    expect(got.map((p) => p.path)).toEqual(paths);
    for (const p of got) expect(p.message).toBe(REFUSED);
  });

  test('buildConfig refuses a literal secret even when the rest is fine, and never echoes it', () => {
    const raw = {
      sms: {
        tencent: { secretId: 'AKIDliteral-id', secretKey: 'literal-key', smsSdkAppId: '1400000000', signName: 'Sign' },
        templates: { domestic: { templateId: '1' } },
      },
      ingest: { auth: { bearerTokens: ['literal-token'] } },
    };
    let err: unknown;
    try {
      buildConfig(raw, {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    const message = (err as GatewayError).message;
    expect(message.split('\n').slice(1)).toEqual([
      `  ingest.auth.bearerTokens[0]: ${REFUSED}`,
      `  sms.tencent.secretId: ${REFUSED}`,
      `  sms.tencent.secretKey: ${REFUSED}`,
    ]);
    expect(JSON.stringify({ message, details: (err as GatewayError).details })).not.toMatch(/literal-/);
  });
});
