import { quitRedis } from '@alertgw/shared';
import type { Logger, RedisClient } from '@alertgw/shared';

/** Receives one pub/sub message. */
export type EventHandler = (message: string) => void;

/**
 * One subscriber connection shared by every live cache and loop of a process (a connection
 * in subscriber mode can do nothing else). ioredis resubscribes after a reconnect; messages
 * published while disconnected are lost, which is why every user also polls a version key.
 */
export class RedisEvents {
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly listener = (channel: string, message: string) => {
    for (const handler of this.handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (err) {
        this.logger?.error('pub/sub handler failed', { channel, err });
      }
    }
  };

  /** `subscriber` must be a connection of its own (e.g. redis.duplicate()); close() ends it. */
  constructor(
    private readonly subscriber: RedisClient,
    private readonly logger?: Logger,
  ) {
    subscriber.on('message', this.listener);
  }

  /** Calls `handler` with every message on `channel` from now on; resolves once subscribed. */
  async on(channel: string, handler: EventHandler): Promise<void> {
    const list = this.handlers.get(channel);
    if (list) {
      list.push(handler);
      return;
    }
    this.handlers.set(channel, [handler]);
    try {
      await this.ready();
      await this.subscriber.subscribe(channel);
    } catch (err) {
      // Not subscribed: forget the channel, so the caller's retry subscribes again.
      this.handlers.delete(channel);
      throw err;
    }
  }

  /**
   * Waits for the connection's handshake to finish. ioredis writes SUBSCRIBE (a command
   * allowed while Redis loads) during the handshake, which then fails its own ready check
   * (INFO is refused in subscriber mode) and reconnects, subscribed to nothing.
   */
  private ready(): Promise<void> {
    const sub = this.subscriber as RedisClient & { status: string };
    if (sub.status === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onReady = () => {
        sub.off('end', onEnd);
        resolve();
      };
      const onEnd = () => {
        sub.off('ready', onReady);
        reject(new Error('the subscriber connection was closed'));
      };
      sub.once('ready', onReady);
      sub.once('end', onEnd);
    });
  }

  /** Stops delivering and closes the subscriber connection. */
  async close(): Promise<void> {
    this.subscriber.off('message', this.listener);
    this.handlers.clear();
    await quitRedis(this.subscriber);
  }
}
