/**
 * JSON schema (draft-07) of Alertmanager's webhook body, version "4", as in ./types.ts.
 * Unknown fields are allowed everywhere: newer Alertmanagers add some (`notification_reason`,
 * `routeLabels`…) and rejecting them would drop real alerts on an upgrade.
 */
import { FINGERPRINT_PATTERN } from '@alertgw/shared';

/** Caps that bound the work one body can cause; generous for real Alertmanager groups. */
export const WEBHOOK_LIMITS = {
  maxAlerts: 10_000,
  maxLabels: 1_000,
  maxNameLength: 1_024,
  maxLabelValueLength: 16_384,
  /** Annotations carry descriptions and runbooks, so they may be longer than label values. */
  maxAnnotationValueLength: 65_536,
  maxStringLength: 16_384,
} as const;

const labelSet = {
  type: 'object',
  maxProperties: WEBHOOK_LIMITS.maxLabels,
  propertyNames: { minLength: 1, maxLength: WEBHOOK_LIMITS.maxNameLength },
  additionalProperties: { type: 'string', maxLength: WEBHOOK_LIMITS.maxLabelValueLength },
} as const;

const annotationSet = {
  ...labelSet,
  additionalProperties: { type: 'string', maxLength: WEBHOOK_LIMITS.maxAnnotationValueLength },
} as const;

const status = { type: 'string', enum: ['firing', 'resolved'] } as const;
const text = { type: 'string', maxLength: WEBHOOK_LIMITS.maxStringLength } as const;
// Alertmanager sends RFC 3339 with nanoseconds, and "0001-01-01T00:00:00Z" for "no end".
const dateTime = { type: 'string', format: 'date-time', maxLength: 64 } as const;

const alert = {
  type: 'object',
  required: ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'],
  properties: {
    status,
    labels: labelSet,
    annotations: annotationSet,
    startsAt: dateTime,
    endsAt: dateTime,
    generatorURL: text,
    fingerprint: { type: 'string', maxLength: 64, pattern: FINGERPRINT_PATTERN },
  },
} as const;

/** The webhook body schema; compile it with ajv-formats for `date-time`. */
export const WEBHOOK_SCHEMA = {
  $id: 'https://alertgw.dev/schemas/alertmanager-webhook-v4.json',
  type: 'object',
  required: [
    'version',
    'receiver',
    'status',
    'alerts',
    'groupLabels',
    'commonLabels',
    'commonAnnotations',
    'externalURL',
    'groupKey',
    'truncatedAlerts',
  ],
  properties: {
    version: { const: '4' },
    receiver: text,
    status,
    alerts: { type: 'array', maxItems: WEBHOOK_LIMITS.maxAlerts, items: alert },
    groupLabels: labelSet,
    commonLabels: labelSet,
    commonAnnotations: annotationSet,
    externalURL: text,
    groupKey: text,
    truncatedAlerts: { type: 'integer', minimum: 0 },
  },
} as const;
