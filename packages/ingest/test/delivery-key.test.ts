import type { WebhookMessage } from '@alertgw/shared';
import { deliveryKey } from '../src/delivery-key';
import { loadFixtures } from './support/harness';

const base = loadFixtures().find((f) => f.name === 'mixed-resolved-and-firing.json')!.body as WebhookMessage;
const clone = (): WebhookMessage => structuredClone(base);

describe('deliveryKey', () => {
  it('is a sha256 hex that ignores alert order and everything but the identifying fields', () => {
    const reordered = clone();
    reordered.alerts.reverse();
    reordered.commonAnnotations = { other: 'text' };
    reordered.externalURL = 'http://twin:9093';
    reordered.alerts[0].annotations = { summary: 'changed' };
    expect(deliveryKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(deliveryKey(reordered)).toBe(deliveryKey(base));
  });

  it.each<[string, (m: WebhookMessage) => void]>([
    ['receiver', (m) => (m.receiver = 'db')],
    ['groupKey', (m) => (m.groupKey = '{}:{alertname="Other"}')],
    ['group status', (m) => (m.status = 'resolved')],
    ['an alert status', (m) => (m.alerts[1].status = 'resolved')],
    ['an alert startsAt', (m) => (m.alerts[1].startsAt = '2026-11-24T14:00:00Z')],
    ['an alert endsAt', (m) => (m.alerts[1].endsAt = '2026-11-24T14:00:00Z')],
    ['a fingerprint', (m) => (m.alerts[1].fingerprint = 'ffffffffffffffff')],
    ['one alert more', (m) => m.alerts.push({ ...m.alerts[0], fingerprint: '0123456789abcdef' })],
  ])('changes with %s', (_what, change) => {
    const m = clone();
    change(m);
    expect(deliveryKey(m)).not.toBe(deliveryKey(base));
  });

  it('cannot be forged by moving text between fields', () => {
    const a = clone();
    const b = clone();
    a.receiver = 'ops,x';
    a.groupKey = 'g';
    b.receiver = 'ops';
    b.groupKey = 'x,g';
    expect(deliveryKey(a)).not.toBe(deliveryKey(b));

    const c = clone();
    const d = clone();
    c.alerts = [{ ...c.alerts[0], fingerprint: 'f\u0000firing' }];
    d.alerts = [{ ...d.alerts[0], fingerprint: 'f' }];
    c.alerts[0].status = 'resolved';
    d.alerts[0].status = 'firing';
    d.alerts[0].startsAt = `resolved\u0000${c.alerts[0].startsAt}`;
    expect(deliveryKey(c)).not.toBe(deliveryKey(d));
  });
});
