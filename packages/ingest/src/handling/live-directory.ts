import { compileEscalations, createDirectory, createResolver, directoryFromConfig, DirectoryStore } from '@alertgw/shared';
import type { Directory, DirectoryDoc, EscalationIndex, GatewayConfig, Logger, Resolver } from '@alertgw/shared';
import { LiveValue } from './live-value';
import type { RedisEvents } from './redis-events';

/** One version of the directory, compiled for use: what ingest resolves recipients with. */
export interface CompiledDirectory {
  version: number;
  doc: DirectoryDoc;
  /** Where the document came from: Redis, or the config file (Redis has none). */
  source: 'redis' | 'config';
  directory: Directory;
  resolver: Resolver;
  escalations: EscalationIndex;
}

/** What the live directory needs. */
export interface LiveDirectoryOptions {
  store: DirectoryStore;
  config: Pick<GatewayConfig, 'users' | 'routes' | 'mandatory' | 'ownerLabel'> & Partial<Pick<GatewayConfig, 'schedules' | 'schedulesTimeZone' | 'robots'>>;
  /** Channels recipients are resolved for. */
  channels: string[];
  events?: RedisEvents;
  /** Fallback poll of the version key (pub/sub messages are lost while disconnected). */
  pollMs?: number;
  logger?: Logger;
}

/** Compiles one directory document (throws GatewayError CONFIG_INVALID on a bad matcher). */
export function compileDirectory(
  doc: DirectoryDoc,
  version: number,
  source: CompiledDirectory['source'],
  config: Pick<GatewayConfig, 'ownerLabel'>,
  channels: string[],
): CompiledDirectory {
  return {
    version,
    doc,
    source,
    directory: createDirectory(doc.users, doc.schedules, doc.robots),
    resolver: createResolver({ users: doc.users, robots: doc.robots, routes: doc.routes, mandatory: doc.mandatory, schedules: doc.schedules, ownerLabel: config.ownerLabel }, channels),
    escalations: compileEscalations(doc.routes),
  };
}

/**
 * The directory in force in this process, kept in step with Redis: seeded from the config
 * when Redis has none, reloaded when a change is published (within milliseconds) or, if the
 * message was lost, when the poll of the version key sees it (within pollMs, 1 s by default).
 * A stored version that does not compile (written around the API) is logged and skipped: the
 * rules in force stay.
 */
export class LiveDirectory {
  private readonly live: LiveValue<CompiledDirectory>;

  constructor(private readonly opts: LiveDirectoryOptions) {
    const { store, config, channels } = opts;
    this.live = new LiveValue<CompiledDirectory>({
      name: 'directory',
      events: opts.events,
      channel: store.keys.events,
      pollMs: opts.pollMs ?? 1000,
      logger: opts.logger,
      version: () => store.version(),
      load: async () => {
        const stored = await store.read();
        if (!stored) return { version: 0, value: compileDirectory(directoryFromConfig(config), 0, 'config', config, channels) };
        try {
          return { version: stored.version, value: compileDirectory(stored.doc, stored.version, 'redis', config, channels) };
        } catch (err) {
          // At startup nothing is in force yet: the config file's directory is the fallback.
          const inForce = this.live.version > 0 ? this.live.value : compileDirectory(directoryFromConfig(config), 0, 'config', config, channels);
          opts.logger?.error('directory version in Redis does not compile; keeping the one in force', {
            version: stored.version,
            inForce: inForce.version,
            err: (err as Error).message,
          });
          // Reported as loaded so the poll stops retrying it; the value in force stays.
          return { version: stored.version, value: inForce };
        }
      },
    });
  }

  /**
   * Seeds Redis from the config if it has no directory (the first replica wins; the others
   * find it seeded), then loads it and starts following changes. Logs when the config file's
   * directory differs from the one in Redis (Redis wins).
   */
  async start(): Promise<void> {
    const { store, config, logger } = this.opts;
    const seed = directoryFromConfig(config);
    const { seeded, version } = await store.seed(seed, 'config');
    if (seeded) logger?.info('directory seeded into Redis from the configuration', { version });
    await this.live.start();
    const current = this.live.value;
    if (!seeded && !sameDirectory(current.doc, seed)) {
      logger?.warn('users/robots/routes/mandatory in the configuration file differ from the directory in Redis; Redis is in force (alertctl directory reseed replaces it with the file)', {
        version: current.version,
        updatedBy: current.doc.updatedBy,
        updatedAt: current.doc.updatedAt,
      });
    }
  }

  /** The compiled directory in force. */
  current(): CompiledDirectory {
    return this.live.value;
  }

  /** Reloads until at least `version` is in force (after this replica wrote it). */
  refresh(version?: number): Promise<void> {
    return this.live.refresh(version);
  }

  /** Calls `fn` whenever a new version comes into force. */
  onChange(fn: (dir: CompiledDirectory) => void): void {
    this.live.onChange((value) => fn(value));
  }

  stop(): void {
    this.live.stop();
  }
}

function sameDirectory(a: DirectoryDoc, b: DirectoryDoc): boolean {
  const norm = (d: DirectoryDoc) => JSON.stringify({ users: d.users, robots: d.robots ?? [], routes: d.routes, mandatory: d.mandatory, schedules: d.schedules ?? [] });
  return norm(a) === norm(b);
}
