import { Counter, type Registry } from 'prom-client';

/** Counters of the SMS channel. */
export interface SmsMetrics {
  /** Failures that mean the SMS configuration is wrong (keys, app, template, sign, balance), by Tencent code. */
  configErrors: Counter<'queue' | 'code'>;
  /** Numbers answered by Tencent (or dry-run), by per-number code. */
  numbers: Counter<'code'>;
  /** Notifications merged into a storm digest instead of sent. */
  merged: Counter<string>;
  /** Storm summaries sent. */
  digests: Counter<string>;
}

/**
 * Registers the SMS counters. `configErrors` may be the worker core's counter of the same
 * meaning (QueueMetrics.configErrors), so dashboards have one place for every channel.
 */
export function createSmsMetrics(registry: Registry, configErrors?: Counter<'queue' | 'code'>): SmsMetrics {
  return {
    configErrors:
      configErrors ??
      new Counter({
        name: 'alertgw_channel_config_errors_total',
        help: 'Failures that mean the channel configuration is wrong.',
        labelNames: ['queue', 'code'],
        registers: [registry],
      }),
    numbers: new Counter({ name: 'alertgw_sms_numbers_total', help: 'Numbers answered by SendSms, by code.', labelNames: ['code'], registers: [registry] }),
    merged: new Counter({ name: 'alertgw_sms_storm_merged_total', help: 'Notifications merged into a per-phone storm digest.', registers: [registry] }),
    digests: new Counter({ name: 'alertgw_sms_storm_digests_total', help: 'Storm summary SMS sent.', registers: [registry] }),
  };
}
