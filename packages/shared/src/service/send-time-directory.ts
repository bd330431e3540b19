import type { GatewayConfig } from '../config/types';
import type { Directory } from '../resolver/directory';
import { createDirectory } from '../resolver/directory';
import { DirectoryStore } from '../handling/directory-store';
import type { RedisClient } from '../queue/task-queue';
import { runHandlingScript } from '../handling/handling-scripts';

/** The directory in force at one instant, and that instant on Redis' clock. */
export interface DirectoryAt {
  directory: Directory;
  /** Redis' clock (ms) when the version was read: the point in time targets are resolved for. */
  atMs: number;
  /** Where it came from: the live directory in Redis, or the config file while Redis has none. */
  source: 'directory' | 'config';
}

/**
 * The live directory as a notifier sees it when it sends: the one in Redis (what the API and
 * alertctl edit), or the config's while Redis has none. Each read costs one script call (the
 * version and Redis' TIME together); the document is read and compiled again only when the
 * version moved, so a send usually costs one small round trip. A notifier has one (the kit
 * makes it and hands it to the channel too), so one cache serves the gate and the channel.
 */
export class SendTimeDirectory {
  private cached?: { version: number; directory: Directory };

  constructor(
    private readonly redis: RedisClient,
    private readonly store: DirectoryStore,
    /** The config's users, used while Redis has no directory. */
    private readonly fallback: Directory,
  ) {}

  /** The directory in force now, with Redis' time. Throws when Redis does not answer (the Worker retries the task). */
  async now(): Promise<DirectoryAt> {
    const [version, atMs] = ((await runHandlingScript(this.redis, 'directoryClock', [this.store.keys.version], [])) as number[]).map(Number);
    if (version === 0) return { directory: this.fallback, atMs, source: 'config' };
    if (this.cached?.version !== version) {
      const stored = await this.store.read();
      this.cached = stored ? { version: stored.version, directory: createDirectory(stored.doc.users, stored.doc.schedules, stored.doc.robots) } : undefined;
    }
    return this.cached ? { directory: this.cached.directory, atMs, source: 'directory' } : { directory: this.fallback, atMs, source: 'config' };
  }
}

/** The notifier's live directory: the one in Redis under the config's prefix, else the config's own. */
export function sendTimeDirectory(redis: RedisClient, config: GatewayConfig): SendTimeDirectory {
  const store = new DirectoryStore(redis, config.redis.keyPrefix, Object.keys(config.channels));
  return new SendTimeDirectory(redis, store, createDirectory(config.users, config.schedules, config.robots));
}
