/**
 * JSON schema of `schedules` (config file and live directory alike). The shapes are checked
 * here; what a pattern cannot see (a real IANA zone, a real date, users that exist, overrides
 * that end after they start) is schedule/check-schedules.ts's job.
 */
import { DIRECTORY_NAME_PATTERN } from '../handling/directory-name';

/** "HH:MM", 00:00–23:59. */
export const CLOCK_TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
/** A window's end may also be "24:00", the end of the day. */
const WINDOW_END_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
/** "day", "week" or whole hours up to a year ("12h", "72h"). */
export const ROTATION_PATTERN = '^(day|week|[1-9][0-9]{0,3}h)$';

const name = { type: 'string', maxLength: 128, pattern: DIRECTORY_NAME_PATTERN } as const;
const weekday = { type: 'string', enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] } as const;
const isoTime = { type: 'string', minLength: 10, maxLength: 40 } as const;

function closed(properties: Record<string, object>, required: string[]): object {
  return { type: 'object', additionalProperties: false, required, properties };
}

/** One schedule entry. */
export const SCHEDULE_SCHEMA = closed(
  {
    name,
    timeZone: { type: 'string', minLength: 1, maxLength: 64 },
    layers: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: closed(
        {
          name: { type: 'string', minLength: 1, maxLength: 64 },
          members: { type: 'array', minItems: 1, maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 140 } },
          rotation: { type: 'string', pattern: ROTATION_PATTERN },
          start: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' },
          handoverTime: { type: 'string', pattern: CLOCK_TIME_PATTERN },
          handoverWeekday: weekday,
          restrictions: {
            type: 'array',
            maxItems: 20,
            items: closed(
              {
                weekdays: { type: 'array', items: weekday, minItems: 1, uniqueItems: true },
                from: { type: 'string', pattern: CLOCK_TIME_PATTERN },
                to: { type: 'string', pattern: WINDOW_END_PATTERN },
              },
              ['from', 'to'],
            ),
          },
        },
        ['members', 'rotation', 'start'],
      ),
    },
    overrides: {
      type: 'array',
      maxItems: 500,
      items: closed({ user: name, from: isoTime, to: isoTime }, ['user', 'from', 'to']),
    },
  },
  ['name', 'layers'],
);

/** The `schedules` list. */
export const SCHEDULES_SCHEMA = { type: 'array', default: [], maxItems: 200, items: SCHEDULE_SCHEMA } as const;
