import { validateWebhook } from '../../ingest/src/webhook';
import { fingerprintOf, parseLabelArgs, testAlertMessage } from '../src/test-alert';

describe('test alert', () => {
  const input = {
    labels: { alertname: 'AlertgwTest', severity: 'warning', alertgw_test_id: 'abcd1234' },
    startsAt: new Date('2026-11-28T03:00:00Z'),
    receiver: 'alertctl',
    hostname: 'box',
  };

  it('is a valid Alertmanager webhook, firing and then resolved, for the same alert', () => {
    const firing = testAlertMessage(input, 'firing');
    const resolved = testAlertMessage(input, 'resolved', new Date('2026-11-28T03:00:05Z'));
    for (const msg of [firing, resolved]) expect(validateWebhook(msg)).toEqual(expect.objectContaining({ ok: true }));
    expect(firing.alerts[0].endsAt).toBe('0001-01-01T00:00:00Z');
    expect(resolved.alerts[0].endsAt).toBe('2026-11-28T03:00:05.000Z');
    expect(resolved.alerts[0].fingerprint).toBe(firing.alerts[0].fingerprint);
    expect(resolved.groupKey).toBe(firing.groupKey);
    expect(firing.groupKey).toBe('{}:{alertgw_test_id="abcd1234", alertname="AlertgwTest"}');
  });

  it('fingerprints label sets like Alertmanager: 16 hex digits, order-independent', () => {
    const fp = fingerprintOf({ a: '1', b: '2' });
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintOf({ b: '2', a: '1' })).toBe(fp);
    expect(fingerprintOf({ a: '1', b: '3' })).not.toBe(fp);
    // The separator keeps {a:"1b", …} and {a:"1", b…} apart.
    expect(fingerprintOf({ a: '12' })).not.toBe(fingerprintOf({ a: '1', '2': '' }));
  });

  it('parses name=value labels and names the bad one', () => {
    expect(parseLabelArgs(['owner=carol', 'team=db=x'])).toEqual({ owner: 'carol', team: 'db=x' });
    expect(parseLabelArgs(['owner'])).toEqual({ bad: 'owner' });
    expect(parseLabelArgs(['1x=y'])).toEqual({ bad: '1x=y' });
  });
});
