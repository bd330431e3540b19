import { createHash } from 'node:crypto';
import type { AlertStatus, LabelSet, WebhookMessage } from '@alertgw/shared';

/** Alertmanager's "no end time" value for a firing alert. */
const NO_END = '0001-01-01T00:00:00Z';

/** Name of the test alert unless --label alertname=… overrides it. */
export const TEST_ALERTNAME = 'AlertgwTest';

/** What one test alert is made of; the same input gives the same alert, firing or resolved. */
export interface TestAlertInput {
  labels: LabelSet;
  startsAt: Date;
  receiver: string;
  hostname: string;
}

/** A stable 16-hex-digit fingerprint of a label set (the length Alertmanager uses). */
export function fingerprintOf(labels: LabelSet): string {
  const canonical = Object.keys(labels)
    .sort()
    .map((name) => `${name}\xff${labels[name]}\xff`)
    .join('');
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * Builds the webhook body Alertmanager would send for the test alert: one alert in its own
 * group, firing (endsAt unset) or resolved at `resolvedAt`.
 */
export function testAlertMessage(input: TestAlertInput, status: AlertStatus, resolvedAt?: Date): WebhookMessage {
  const labels = input.labels;
  const groupLabels: LabelSet = { alertname: labels.alertname ?? TEST_ALERTNAME };
  if (labels.alertgw_test_id) groupLabels.alertgw_test_id = labels.alertgw_test_id;
  const annotations: LabelSet = {
    summary: `Test alert from alertctl on ${input.hostname}`,
    description:
      'Sent by `alertctl send-test` to check the path Alertmanager → ingest → notifiers. ' +
      'It resolves by itself; nothing needs to be done.',
  };
  const groupKey = `{}:{${Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(', ')}}`;
  return {
    version: '4',
    receiver: input.receiver,
    status,
    groupKey,
    truncatedAlerts: 0,
    externalURL: '',
    groupLabels,
    commonLabels: { ...labels },
    commonAnnotations: annotations,
    alerts: [
      {
        status,
        labels: { ...labels },
        annotations,
        startsAt: input.startsAt.toISOString(),
        endsAt: status === 'resolved' ? (resolvedAt ?? new Date()).toISOString() : NO_END,
        generatorURL: '',
        fingerprint: fingerprintOf(labels),
      },
    ],
  };
}

/** Parses `name=value` label arguments; a bad one is reported by its text. */
export function parseLabelArgs(pairs: readonly string[]): LabelSet | { bad: string } {
  const labels: LabelSet = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { bad: pair };
    labels[name] = pair.slice(eq + 1);
  }
  return labels;
}
