import type { AckRecord, Logger } from '@alertgw/shared';
import type { AckStore } from './ack-store';
import { LiveValue } from './live-value';
import type { RedisEvents } from './redis-events';

/**
 * The acks in force, cached in this process for the delivery hot path (no Redis read per
 * delivery): reloaded when an "ack:<version>" message arrives, and by a poll of the ack
 * version (one GET per pollMs) when pub/sub lost one. A reminder that races an ack made on
 * another replica by less than that propagation delay (milliseconds) may still go out.
 */
export function createAckCache(opts: { store: AckStore; events?: RedisEvents; pollMs?: number; logger?: Logger }): LiveValue<Map<string, AckRecord>> {
  const { store } = opts;
  return new LiveValue<Map<string, AckRecord>>({
    name: 'ack cache',
    events: opts.events,
    channel: store.keys.events,
    pollMs: opts.pollMs ?? 1000,
    logger: opts.logger,
    parseMessage: (message) => (message.startsWith('ack:') ? Number(message.slice(4)) : undefined),
    version: () => store.version(),
    load: async () => {
      // Version first: a change landing between the two reads is then seen again by the next poll.
      const version = await store.version();
      return { version, value: await store.all() };
    },
  });
}
