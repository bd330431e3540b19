/** The per-alert record store: upsert by ingest, timeline events by notifiers, reads by the API. */
export { AlertKeys } from './alert-keys';
export { appendTimelines } from './append-timeline';
export { getAlert, listAlerts, MAX_PAGE, type AlertPage, type AlertQuery } from './read-alerts';
export type { AlertRecord, TimelineEvent } from './types';
export { alertSeverity, MAX_INDEXED_SEVERITIES, MAX_SEVERITY_LENGTH, MAX_TIMELINE, upsertAlerts, upsertCall, type TaskRef, type UpsertAlertsInput } from './upsert-alerts';
