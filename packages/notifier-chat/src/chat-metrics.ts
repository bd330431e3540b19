import { Counter, type Registry } from 'prom-client';

/** Counters of the chat channel. */
export interface ChatMetrics {
  /** Messages answered by a provider (or dry-run), by provider and code ("dingtalk-0", "dingtalk-130101", "wecom-http-502"). */
  messages: Counter<'provider' | 'code'>;
  /** Failures that mean a robot's configuration is wrong (token, signature, keyword, IP), by code. */
  configErrors: Counter<'queue' | 'code'>;
  /** Notifications merged into a robot's digest instead of sent. */
  merged: Counter<'provider'>;
  /** Summary messages sent. */
  digests: Counter<'provider'>;
}

/** Registers the chat counters; `configErrors` may be the worker core's counter of the same meaning. */
export function createChatMetrics(registry: Registry, configErrors?: Counter<'queue' | 'code'>): ChatMetrics {
  return {
    messages: new Counter({ name: 'alertgw_chat_messages_total', help: 'Chat robot messages answered, by provider and code.', labelNames: ['provider', 'code'], registers: [registry] }),
    configErrors:
      configErrors ??
      new Counter({ name: 'alertgw_channel_config_errors_total', help: 'Failures that mean the channel configuration is wrong.', labelNames: ['queue', 'code'], registers: [registry] }),
    merged: new Counter({ name: 'alertgw_chat_budget_merged_total', help: 'Notifications merged into a robot digest because the robot was over its budget.', labelNames: ['provider'], registers: [registry] }),
    digests: new Counter({ name: 'alertgw_chat_budget_digests_total', help: 'Robot summary messages sent.', labelNames: ['provider'], registers: [registry] }),
  };
}
