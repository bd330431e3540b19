import type { RobotConfig, SendTimeDirectory } from '@alertgw/shared';

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

/**
 * The robots of the notifier's live directory (the one the kit's gate reads, with its cache by
 * version): a robot added through the API is used at the next send, and the directory is read
 * once per version for both.
 */
export function robotsOf(live: SendTimeDirectory): RobotDirectory {
  return {
    async current() {
      const { directory, source } = await live.now();
      return { robots: directory.robots, source };
    },
  };
}
