import { ackLinkSettings, createAckLinkIssuer, runChannelService } from '@alertgw/shared';
import { createChatChannel, type ChatPayload } from './chat-channel';
import { createChatMetrics } from './chat-metrics';
import { createChatRenderer } from './render/chat-renderer';
import { robotRoute } from './robot-dispatcher';
import { robotsOf } from './robots/robot-directory';
import { chatTimelineView } from './timeline-view';

// The only place notifier-chat reads env and argv; runChannelService connects and handles signals.
void runChannelService<ChatPayload>({
  name: 'chat',
  section: (config) => config.chat,
  timeline: chatTimelineView,
  async handler({ config, logger, queue, redis, registry, metrics, directory }) {
    const renderer = createChatRenderer({ templatesDir: config.chat.templatesDir });
    const robots = robotsOf(directory);
    const route = robotRoute(process.env);
    const { robots: known, source } = await robots.current();
    if (config.chat.dryRun || known.size === 0) {
      logger.warn(`dry-run: ${config.chat.dryRun ? 'chat.dryRun is set' : 'no robot configured'}; chat messages are built, logged and recorded, not sent`);
    }
    const handler = createChatChannel({
      config: config.chat,
      robots,
      queue,
      renderer,
      logger,
      metrics: createChatMetrics(registry, metrics.configErrors),
      env: process.env,
      dispatcher: route.dispatcher,
      ackLinks: createAckLinkIssuer(ackLinkSettings(config), redis),
      // A provider's throttle is waited out in full (DingTalk's 130101 lasts 10 minutes), even
      // past the queue's longest backoff: retrying sooner only meets the same refusal.
      maxRetryAfterMs: Math.max(config.queue.backoff.maxMs, 600_000),
    });
    // Robot names and types only: their URLs and secrets are resolved at each send, never logged.
    return { handler, describe: { robots: [...known.values()].map((r) => `${r.name} (${r.type})`), robotsFrom: source, egress: route.describe, dryRun: config.chat.dryRun || known.size === 0 } };
  },
});
