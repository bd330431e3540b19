import { DirectoryStore, type GatewayConfig, type RedisClient, type RobotConfig } from '@alertgw/shared';

/** The robots as notifier-chat sees them at one send. */
export interface RobotList {
  robots: ReadonlyMap<string, RobotConfig>;
  /** Where they came from: the live directory in Redis, or the config file while Redis has none. */
  source: 'directory' | 'config';
}

/** Finds robot definitions live, so a robot added or changed through the API is used at the next send. */
export interface RobotDirectory {
  current(): Promise<RobotList>;
}

const byName = (robots: RobotConfig[] | undefined) => new Map((robots ?? []).map((r) => [r.name, r]));

/**
 * Robots from the directory document in Redis (`doc.robots`), read again only when the
 * directory's version changed (one GET per send), falling back to `config.robots` while Redis
 * has no directory yet.
 */
export function createRobotDirectory(redis: RedisClient, config: GatewayConfig): RobotDirectory {
  const store = new DirectoryStore(redis, config.redis.keyPrefix, Object.keys(config.channels));
  const fromConfig: RobotList = { robots: byName(config.robots), source: 'config' };
  let cached: { version: number; list: RobotList } | undefined;
  return {
    async current() {
      const version = await store.version();
      if (version === 0) return fromConfig;
      if (cached?.version === version) return cached.list;
      const stored = await store.read();
      if (!stored) return fromConfig;
      cached = { version: stored.version, list: { robots: byName(stored.doc.robots), source: 'directory' } };
      return cached.list;
    },
  };
}
