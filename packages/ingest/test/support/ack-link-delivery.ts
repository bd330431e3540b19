/** A delivery of firing (or resolved) db alerts, one group. */
export function group(fps: string[], status: 'firing' | 'resolved' = 'firing', startsAt = new Date(Date.now() - 1000).toISOString()) {
  const alerts = fps.map((fp) => ({
    status,
    labels: { alertname: 'ReplicationLag', severity: 'critical', team: 'db', instance: `db-${fp}` },
    annotations: { summary: `replica ${fp} lags 120s` },
    startsAt,
    endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
    generatorURL: '',
    fingerprint: fp,
  }));
  const groupLabels = { alertname: 'ReplicationLag', batch: fps.join('-') };
  return { version: '4', receiver: 'gateway', status, groupKey: `{}:{batch="${fps.join('-')}"}`, truncatedAlerts: 0, externalURL: 'http://alertmanager', groupLabels, commonLabels: { ...groupLabels, team: 'db' }, commonAnnotations: {}, alerts };
}

