import { alertsUrl, matcherFilter, safeHttpUrl, silenceUrl } from '../../src/render/links';

describe('safeHttpUrl', () => {
  it.each([
    ['http://prometheus.local:9090/graph?g0.expr=cpu%3E0.95', 'http://prometheus.local:9090/graph?g0.expr=cpu%3E0.95'],
    ['https://wiki.example.com/runbooks/mysql-lag', 'https://wiki.example.com/runbooks/mysql-lag'],
    ['javascript:alert(1)', undefined],
    ['JAVASCRIPT:alert(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['file:///etc/passwd', undefined],
    ['/relative/path', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (input, expected) => {
    expect(safeHttpUrl(input)).toBe(expected);
  });
});

describe('silence links', () => {
  it('builds an Alertmanager filter with sorted, quoted matchers', () => {
    expect(matcherFilter({ cluster: 'prod-bj', alertname: 'HighCPU' })).toBe('{alertname="HighCPU",cluster="prod-bj"}');
    expect(matcherFilter({ a: 'say "hi"\\' })).toBe('{a="say \\"hi\\"\\\\"}');
  });

  it('encodes the filter into the new-silence URL of externalURL', () => {
    const url = silenceUrl('http://vm:9093/', { alertname: 'HighCPU', cluster: 'prod-bj' });
    expect(url).toBe(`http://vm:9093/#/silences/new?filter=${encodeURIComponent('{alertname="HighCPU",cluster="prod-bj"}')}`);
    expect(decodeURIComponent(url!.split('filter=')[1])).toBe('{alertname="HighCPU",cluster="prod-bj"}');
  });

  it('gives no link for a non-http externalURL or no labels', () => {
    expect(silenceUrl('javascript:alert(1)//', { a: 'b' })).toBeUndefined();
    expect(silenceUrl('http://vm:9093', {})).toBeUndefined();
    expect(alertsUrl('ftp://vm', 'ops')).toBeUndefined();
    expect(alertsUrl('http://vm:9093', 'ops & co')).toBe('http://vm:9093/#/alerts?receiver=ops%20%26%20co');
  });
});
