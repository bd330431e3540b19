import { groupAlertName, type NotificationPayload } from '@alertgw/shared';

/** Longest subject we send; long subjects get cut by clients anyway and bloat headers. */
export const MAX_SUBJECT_LENGTH = 200;

/**
 * Makes any string safe as a Subject header: no CR/LF or other control characters (header
 * injection), whitespace collapsed, cut to MAX_SUBJECT_LENGTH with an ellipsis.
 */
export function cleanSubject(raw: string, max = MAX_SUBJECT_LENGTH): string {
  // eslint-disable-next-line no-control-regex
  const flat = raw.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return `${Array.from(flat).slice(0, max - 1).join('').trimEnd()}…`;
}

/**
 * Default subject in Alertmanager's style: `[FIRING:3] HighCPU (cluster=prod-bj)` or
 * `[RESOLVED] HighCPU (cluster=prod-bj)`. The count is the firing alerts in this delivery.
 */
export function defaultSubject(payload: NotificationPayload): string {
  const firing = payload.alerts.filter((a) => a.status === 'firing').length;
  const head = payload.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const name = groupAlertName(payload);
  const others = Object.keys(payload.groupLabels)
    .filter((k) => k !== 'alertname')
    .sort()
    .map((k) => `${k}=${payload.groupLabels[k]}`)
    .join(', ');
  const parts = [head];
  if (name) parts.push(name);
  if (others) parts.push(name ? `(${others})` : others);
  return cleanSubject(parts.join(' '));
}
