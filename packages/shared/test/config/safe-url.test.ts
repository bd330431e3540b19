import { redactUrl, urlOrigin } from '../../src/config/safe-url';

describe('urlOrigin', () => {
  test.each([
    ['http://admin:pw@am.example.com:9093/base/path?token=x', 'http://am.example.com:9093'],
    ['https://mail.example.com/send', 'https://mail.example.com'],
    ['redis://:pw@redis:6379/0', 'redis://redis:6379'],
    ['not a url', '(unparsable URL)'],
  ])('%s → %s', (url, origin) => {
    expect(urlOrigin(url)).toBe(origin);
  });
});

describe('redactUrl', () => {
  test.each([
    ['redis://:s3cr3t-pw@redis:6379/0', 'redis://:***@redis:6379/0'],
    ['rediss://alertgw:s3cr3t-pw@redis.example.internal:6380/2', 'rediss://alertgw:***@redis.example.internal:6380/2'],
    // A password with "@" and "/" in it: a pattern stopping at the first "@" would leak "/rest".
    ['redis://:p@ss/w@rd-rest@redis:6379/0', 'redis://:***@redis:6379/0'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://alertgw@redis:6379?password=s3cr3t-pw', 'redis://***@redis:6379'],
    ['https://s3cr3t-pw@am.example.com/x', 'https://***@am.example.com/x'],
    ['::not a url::s3cr3t-pw', '(unparsable URL)'],
  ])('%s → %s', (url, redacted) => {
    expect(redactUrl(url)).toBe(redacted);
    expect(redactUrl(url)).not.toMatch(/s3cr3t|p@ss|rest@/);
  });
});
