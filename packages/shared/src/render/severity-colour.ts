/** Colours used for statuses and severities; chosen to stay readable as white-on-colour pills. */
export const COLOURS = {
  critical: '#c62828',
  error: '#d84315',
  warning: '#b26a00',
  info: '#1565c0',
  unknown: '#546e7a',
  resolved: '#2e7d32',
} as const;

// Alerting rules in the wild use many spellings; map the common ones onto four colours.
const ALIASES: Record<string, keyof typeof COLOURS> = {
  critical: 'critical', crit: 'critical', fatal: 'critical', emergency: 'critical', page: 'critical', p1: 'critical',
  error: 'error', err: 'error', high: 'error', major: 'error', p2: 'error',
  warning: 'warning', warn: 'warning', medium: 'warning', minor: 'warning', p3: 'warning',
  info: 'info', informational: 'info', low: 'info', notice: 'info', none: 'info', p4: 'info',
};

/** The display colour for a severity label value (case-insensitive; unknown values get grey). */
export function severityColour(severity: string | undefined): string {
  const name = (severity ?? '').trim().toLowerCase();
  // Own keys only: "constructor" must not find Object.prototype's.
  return COLOURS[Object.hasOwn(ALIASES, name) ? ALIASES[name]! : 'unknown'];
}
