'use strict';
// A ~1 KB notification payload shaped like what ingest writes for a small alert group,
// so both queues move the same bytes per task.

/** Builds the payload for task `i`; `t` is the enqueue time (performance.now() ms) or 0. */
function makePayload(i, t = 0) {
  return {
    channel: 'email',
    receiver: 'ops',
    groupKey: `{}:{alertname="DiskWillFillIn4h", cluster="prod-bj", n="${i}"}`,
    status: 'firing',
    severity: 'warning',
    externalURL: 'http://alertmanager.example:9093',
    groupLabels: { alertname: 'DiskWillFillIn4h', cluster: 'prod-bj' },
    commonLabels: { alertname: 'DiskWillFillIn4h', cluster: 'prod-bj', job: 'node', severity: 'warning' },
    commonAnnotations: { summary: 'Disk will fill within 4 hours', runbook: 'https://runbooks.example/disk-fill' },
    truncatedAlerts: 0,
    alerts: [0].map((k) => ({
      status: 'firing',
      labels: { alertname: 'DiskWillFillIn4h', instance: `10.0.0.${k + 3}:9100`, mountpoint: '/data', severity: 'warning' },
      annotations: { summary: 'disk', description: 'Filesystem /data is predicted to run out of space within 4 hours.' },
      startsAt: '2026-11-24T13:42:14.978Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=predict_linear',
      fingerprint: `f6c6b9fdb12e758${k}`,
    })),
    recipients: [{ name: 'alice', address: 'alice@example.com', rules: ['mandatory'] }],
    deliveryKey: `bench-${i}`,
    receivedAt: '2026-11-24T13:42:15.000Z',
    t,
  };
}

module.exports = { makePayload };
