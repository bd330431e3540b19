import type { SmsConfig, WebhookAlert } from '@alertgw/shared';
import type { SmsPayload } from '../../src/digest';
import { FakeTencent, type FakeTencentOptions } from './fake-tencent';

/** Obvious fakes; the fake endpoint signs with the same pair. */
export const SECRET_ID = 'AKID-test-only-not-a-real-id';
export const SECRET_KEY = 'testOnlyNotARealSecretKey00000000';
export const APP_ID = '1400000000';
export const SIGN = '告警网关';
export const DOMESTIC_TEMPLATE = '1000001';
export const INTL_TEMPLATE = '2000001';

/** The fake with the two templates the test config uses. */
export function startFake(over: Partial<FakeTencentOptions> = {}): Promise<FakeTencent> {
  return new FakeTencent({
    secretId: SECRET_ID,
    secretKey: SECRET_KEY,
    smsSdkAppId: APP_ID,
    signNames: [SIGN],
    templates: {
      [DOMESTIC_TEMPLATE]: { content: '{1}告警 {2}，级别 {3}，共 {4} 条：{5}', international: false },
      [INTL_TEMPLATE]: { content: '[{1}] {2} x{3}: {4}', international: true },
    },
    maxParamLength: 20,
    ...over,
  }).start();
}

/** An SMS config pointing at the fake (or dry-run with `secrets: false`). */
export function smsConfig(fake: FakeTencent | null, over: Partial<SmsConfig> = {}): SmsConfig {
  return {
    tencent: {
      secretId: fake ? SECRET_ID : '',
      secretKey: fake ? SECRET_KEY : '',
      region: 'ap-guangzhou',
      smsSdkAppId: APP_ID,
      signName: SIGN,
      ...(fake ? { endpoint: fake.endpoint } : {}),
      protocol: 'http:',
    },
    templates: {
      domestic: {
        templateId: DOMESTIC_TEMPLATE,
        params: [
          { expr: "<%= status === 'firing' ? '触发' : '恢复' %>", maxLength: 2 },
          { expr: 'alertname', maxLength: 20 },
          { expr: 'severity', maxLength: 12 },
          { expr: 'count', maxLength: 6 },
          { expr: 'summary', maxLength: 20 },
        ],
      },
      international: {
        templateId: INTL_TEMPLATE,
        params: [
          { expr: 'status', maxLength: 8 },
          { expr: 'alertname', maxLength: 20 },
          { expr: 'count', maxLength: 4 },
          { expr: 'summary', maxLength: 20 },
        ],
      },
    },
    budget: { maxPerWindow: 1000, windowMs: 600_000 },
    concurrency: 4,
    listen: { host: '127.0.0.1', port: 0 },
    ...over,
  };
}

/** A firing group for the given numbers. */
export function smsPayload(phones: string[], over: { alertname?: string; summary?: string; instance?: string; status?: 'firing' | 'resolved' } = {}): SmsPayload {
  const alertname = over.alertname ?? 'DiskFull';
  const status = over.status ?? 'firing';
  const alert: WebhookAlert = {
    status,
    labels: { alertname, severity: 'critical', instance: over.instance ?? 'db-3' },
    annotations: { summary: over.summary ?? 'disk almost full' },
    startsAt: '2024-05-01T03:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example/graph',
    fingerprint: 'f00dfeedbeef0001',
  };
  return {
    channel: 'sms',
    receiver: 'sms',
    groupKey: `{}:{alertname="${alertname}"}`,
    status,
    severity: 'critical',
    externalURL: 'http://alertmanager.example',
    groupLabels: { alertname },
    commonLabels: alert.labels,
    commonAnnotations: alert.annotations,
    truncatedAlerts: 0,
    alerts: [alert],
    recipients: phones.map((address, i) => ({ name: `user${i}`, address, rules: ['mandatory'] })),
    deliveryKey: `d-${Math.random().toString(36).slice(2)}`,
    receivedAt: new Date().toISOString(),
  };
}

/** `n` distinct +86 numbers from a test-only range. */
export function domesticNumbers(n: number, start = 0): string[] {
  return Array.from({ length: n }, (_, i) => `+86139${String(start + i).padStart(8, '0')}`);
}

export { captureLogs } from '@alertgw/testkit';

/** Every log line that contains one of the numbers or a secret. */
export function leaks(lines: string[], phones: string[]): string[] {
  const digitsOnly = phones.map((p) => p.replace(/^\+/, ''));
  return lines.filter((l) => l.includes(SECRET_ID) || l.includes(SECRET_KEY) || digitsOnly.some((d) => l.includes(d)));
}
