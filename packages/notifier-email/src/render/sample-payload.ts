import type { GroupAckLinks, NotificationPayload } from '@alertgw/shared';

/**
 * A small group with one firing and one resolved alert, links and a multi-line description;
 * every template is rendered with it at startup so a template that breaks on real data fails
 * before the first alert, not at 3 a.m.
 */
export const SAMPLE_PAYLOAD: NotificationPayload = {
  channel: 'email',
  receiver: 'ops',
  groupKey: '{}:{alertname="HighCPU", cluster="prod-bj"}',
  status: 'firing',
  severity: 'critical',
  externalURL: 'http://alertmanager.example:9093',
  groupLabels: { alertname: 'HighCPU', cluster: 'prod-bj' },
  commonLabels: { alertname: 'HighCPU', cluster: 'prod-bj', job: 'node' },
  commonAnnotations: {},
  truncatedAlerts: 1,
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'HighCPU', cluster: 'prod-bj', job: 'node', instance: '10.0.0.1:9100', severity: 'critical' },
      annotations: {
        summary: 'CPU above 95%',
        description: 'line one\nline two <b>',
        runbook_url: 'https://runbooks.example/high-cpu',
        dashboard_url: 'javascript:alert(1)',
      },
      startsAt: '2026-11-24T13:42:14.978729533Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=cpu',
      fingerprint: '0000000000000001',
    },
    {
      status: 'resolved',
      labels: { alertname: 'HighCPU', cluster: 'prod-bj', job: 'node', instance: '10.0.0.2:9100', severity: 'warning' },
      annotations: { summary: 'CPU high' },
      startsAt: '2026-11-24T13:40:00Z',
      endsAt: '2026-11-24T13:45:10Z',
      generatorURL: '',
      fingerprint: '0000000000000002',
    },
  ],
  recipients: [{ name: 'alice', address: 'alice@example.com', rules: ['mandatory'] }],
  deliveryKey: 'sample',
  receivedAt: '2026-11-24T13:42:20.000Z',
};

/** Ack links as a mail with ingest.publicUrl set carries them, for the same startup render. */
export const SAMPLE_ACK: GroupAckLinks = {
  recipient: 'alice',
  links: {
    alert: (fingerprint) => `https://alerts.example/ack/sample-${fingerprint}`,
    group: () => 'https://alerts.example/ack/sample-group',
  },
};
