import { createAuthCheck } from '../src/auth';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('createAuthCheck', () => {
  const check = createAuthCheck({ bearerTokens: ['tok-1', 'tok-2'], basic: [{ username: 'am', password: 'p:w' }], allowAnonymous: false });

  it('accepts every configured bearer token and basic credential, as Alertmanager sends them', () => {
    expect(check.enabled).toBe(true);
    expect(check('Bearer tok-1')).toBe(true);
    expect(check('Bearer tok-2')).toBe(true);
    expect(check('bearer tok-2')).toBe(true);
    expect(check(basic('am', 'p:w'))).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a wrong token', 'Bearer tok-3'],
    ['a token prefix', 'Bearer tok-'],
    ['a token with extra text', 'Bearer tok-1x'],
    ['a token without scheme', 'tok-1'],
    ['a basic password given as bearer', 'Bearer p:w'],
    ['a wrong basic password', basic('am', 'p:x')],
    ['a wrong basic user', basic('an', 'p:w')],
    ['a token as basic', `Basic ${Buffer.from('tok-1').toString('base64')}`],
    ['another scheme', 'Digest tok-1'],
  ])('refuses %s', (_what, header) => {
    expect(check(header)).toBe(false);
  });

  it('lets everything through when nothing is configured, and says so', () => {
    const open = createAuthCheck({ bearerTokens: [], basic: [], allowAnonymous: true });
    expect(open.enabled).toBe(false);
    expect(open(undefined)).toBe(true);
  });
});
