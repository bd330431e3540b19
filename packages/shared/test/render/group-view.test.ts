import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';
import type { NotificationPayload, WebhookMessage } from '../../src';
import { buildAlertGroupView } from '../../src/render/group-view';

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
