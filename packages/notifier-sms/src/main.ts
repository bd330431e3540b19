import { ackLinkSettings, createAckLinkIssuer, GatewayError, runChannelService } from '@alertgw/shared';
import type { SmsPayload } from './digest';
import { createSmsChannel } from './sms-channel';
import { createSmsMetrics } from './sms-metrics';
import { createTencentSmsClient } from './tencent-client';
import { smsTimelineView } from './timeline-view';
import { verifyTemplates } from './verify-templates';

// The only place notifier-sms reads env and argv; runChannelService connects and handles signals.
void runChannelService<SmsPayload>({
  name: 'sms',
  section: (config) => config.sms,
  timeline: smsTimelineView,
  async handler({ config, logger, queue, registry, metrics, redis }) {
    const { tencent } = config.sms;
    const dryRun = tencent.secretId === '' || tencent.secretKey === '';
    const api = dryRun
      ? null
      : createTencentSmsClient({
          secretId: tencent.secretId,
          secretKey: tencent.secretKey,
          region: tencent.region,
          endpoint: tencent.endpoint,
          protocol: tencent.protocol,
          proxy: process.env.HTTPS_PROXY || process.env.https_proxy || process.env.HTTP_PROXY || process.env.http_proxy || undefined,
        });
    if (api) {
      const problems = await verifyTemplates(api, config.sms.templates, logger);
      if (problems.length > 0) {
        throw new GatewayError('CONFIG_INVALID', `SMS templates do not match Tencent's:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
      }
    } else {
      logger.warn('dry-run: no Tencent credentials configured; SMS requests are built, logged (numbers masked) and recorded, not sent');
    }
    const handler = createSmsChannel({
      config: config.sms,
      api,
      queue,
      logger,
      metrics: createSmsMetrics(registry, metrics.configErrors),
      maxRetryAfterMs: config.queue.backoff.maxMs,
      ackLinks: createAckLinkIssuer(ackLinkSettings(config), redis),
    });
    return { handler, describe: { dryRun, budget: config.sms.budget, endpoint: tencent.endpoint ?? 'sms.tencentcloudapi.com' } };
  },
});
