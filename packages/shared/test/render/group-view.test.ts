import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';
import fc from 'fast-check';
import type { NotificationPayload, WebhookMessage } from '../../src';
import { buildAlertGroupView, formatTime } from '../../src/render/group-view';

function payloadOf(file: string): NotificationPayload {
  const body = (JSON.parse(readFileSync(path.join(AM_FIXTURES_DIR, file), 'utf8')) as { body: WebhookMessage }).body;
  return {
    channel: 'email', receiver: body.receiver, groupKey: body.groupKey, status: body.status, severity: 'critical',
    externalURL: body.externalURL, groupLabels: body.groupLabels, commonLabels: body.commonLabels, commonAnnotations: body.commonAnnotations,
    truncatedAlerts: body.truncatedAlerts ?? 0, alerts: body.alerts, recipients: [], deliveryKey: 'k', receivedAt: new Date(0).toISOString(),
  };
}

describe('buildAlertGroupView', () => {
  it('shows a common label named like an Object.prototype member (constructor, toString): group labels are own keys only', () => {
    const payload = payloadOf('mixed-resolved-and-firing.json');
    payload.commonLabels = { ...payload.commonLabels, constructor: 'ctor-value', toString: 'ts-value' };
    const names = buildAlertGroupView(payload, 'subject').commonLabels.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['constructor', 'toString']));
    // Labels that are group labels stay out of the common section, as before.
    for (const name of Object.keys(payload.groupLabels)) expect(names).not.toContain(name);
  });
});

describe('formatTime', () => {
  /** The reading through Date that formatTime's shortcut for UTC timestamps must agree with. */
  const viaDate = (iso: string): string => {
    const t = Date.parse(iso);
    return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  };
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  it.each([
    ['Alertmanager nanoseconds', '2026-11-30T20:45:33.123456789Z', '2026-11-30 20:45:33 UTC'],
    ['a fraction just under the next second', '2026-11-30T20:45:59.9999999Z', '2026-11-30 20:45:59 UTC'],
    ['Nov 31 rolls into Dec', '2026-11-31T00:00:00Z', '2026-12-01 00:00:00 UTC'],
    ['Feb 29 in a leap year', '2028-02-29T10:00:00Z', '2028-02-29 10:00:00 UTC'],
    ['Feb 29 in 2100 rolls over', '2100-02-29T10:00:00Z', '2100-03-01 10:00:00 UTC'],
    ['hour 24', '2026-11-30T24:00:00Z', '2026-12-01 00:00:00 UTC'],
    ['an offset', '2026-11-30T20:45:33+01:00', '2026-11-30 19:45:33 UTC'],
    ['not a date', 'soon', 'soon'],
  ])('%s', (_name, iso, shown) => {
    expect(formatTime(iso)).toBe(shown);
    expect(viaDate(iso)).toBe(shown);
  });

  it('agrees with the reading through Date for any timestamp, in range or not', () => {
    const timestamp = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom('', '.', '.5', '.123', '.999999', '.123456789', '.1234567890'),
        fc.constantFrom('Z', 'z', '+01:00', '-00:30', ''),
      )
      .map(([y, mo, d, h, mi, s, frac, zone]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${frac}${zone}`);
    fc.assert(
      fc.property(fc.oneof(timestamp, fc.string({ maxLength: 30 })), (iso) => {
        expect(formatTime(iso)).toBe(viaDate(iso));
      }),
      { numRuns: 20000 },
    );
  });
});
