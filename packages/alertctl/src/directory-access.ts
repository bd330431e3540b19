import type { RedisClient as Redis } from '@alertgw/shared';
import { DirectoryStore, directoryFromConfig, removeNamed, type DirectoryDoc, type GatewayConfig, type Named, type StoredDirectory } from '@alertgw/shared';
import { CliError, EXIT, println, type CliContext, type ParsedArgs } from './command';
import { loadCliConfig, withRedis } from './connect';

/** The directory a CLI command works on: Redis's, or the config file's when Redis has none yet. */
export interface DirectoryView {
  config: GatewayConfig;
  store: DirectoryStore;
  /** The stored directory, or the config's seed with version 0. */
  current: StoredDirectory;
  source: 'redis' | 'config';
  /** Who CLI changes are recorded as. */
  by: string;
}

/** Opens the configured Redis and reads the directory; `fn` runs with it, the connection is closed after. */
export async function withDirectory<T>(args: ParsedArgs, ctx: CliContext, fn: (view: DirectoryView, redis: Redis) => Promise<T>): Promise<T> {
  const { config } = loadCliConfig(args, ctx);
  return withRedis(config, ctx, async (redis) => {
    const store = new DirectoryStore(redis, config.redis.keyPrefix, Object.keys(config.channels));
    const stored = await store.read();
    const view: DirectoryView = {
      config,
      store,
      current: stored ?? { version: 0, doc: seedOf(config) },
      source: stored ? 'redis' : 'config',
      by: `alertctl:${ctx.env.USER || ctx.env.USERNAME || 'unknown'}`,
    };
    return fn(view, redis);
  });
}

/** Applies a change to the directory in Redis (seeding it from the config first if empty); refusals keep the stored one. */
export function changeDirectory(view: DirectoryView, change: (doc: DirectoryDoc) => void): Promise<StoredDirectory> {
  return view.store.update(view.by, change, seedOf(view.config));
}

/** Deletes the user, route, schedule or robot named `name` from the directory in Redis and says so; an unknown name is refused. */
export async function deleteNamed(
  view: DirectoryView,
  ctx: CliContext,
  list: 'users' | 'routes' | 'schedules' | 'robots',
  noun: 'user' | 'route' | 'schedule' | 'robot',
  name: string,
): Promise<number> {
  const stored = await changeDirectory(view, (doc) => {
    if (!removeNamed<Named>(doc[list] ?? [], name)) throw new CliError(`no ${noun} "${name}"`);
  });
  println(ctx.stdout, `deleted ${noun} ${name} (directory version ${stored.version})`);
  return EXIT.ok;
}

/** The config file's users, robots, routes and mandatory, as a directory document. */
export function seedOf(config: GatewayConfig): DirectoryDoc {
  return directoryFromConfig(config);
}

/** One line saying which directory a listing shows. */
/**
 * `<kind> set <name>` for entries edited field by field: in one versioned change, edits the entry
 * named `name` in the list `listOf` gives, or appends `blank()` edited; prints which it did.
 */
export async function editNamed<T extends { name: string }>(
  view: DirectoryView,
  ctx: CliContext,
  kind: string,
  name: string,
  listOf: (doc: DirectoryDoc) => T[],
  blank: () => T,
  edit: (entry: T) => void,
): Promise<number> {
  let created = false;
  const stored = await changeDirectory(view, (doc) => {
    const list = listOf(doc);
    let entry = list.find((e) => e.name === name);
    if (!entry) {
      entry = blank();
      list.push(entry);
      created = true;
    }
    edit(entry);
  });
  println(ctx.stdout, `${created ? 'created' : 'updated'} ${kind} ${name} (directory version ${stored.version})`);
  return EXIT.ok;
}

/** `<kind> show <name>`: prints the entry named `name` as JSON (through `shown`, e.g. to mask phones); fails when there is none. */
export function showNamed<T extends { name: string }>(ctx: CliContext, kind: string, list: readonly T[], name: string | undefined, shown: (entry: T) => unknown = (e) => e): number {
  const found = list.find((e) => e.name === name);
  if (!found) throw new CliError(`no ${kind} "${name}"`);
  println(ctx.stdout, JSON.stringify(shown(found), null, 2));
  return EXIT.ok;
}

export function sourceLine(view: DirectoryView): string {
  return view.source === 'redis'
    ? `directory version ${view.current.version} in Redis${view.current.doc.updatedBy ? ` (last change by ${view.current.doc.updatedBy} at ${view.current.doc.updatedAt})` : ''}`
    : 'Redis has no directory yet: this is the configuration file\'s (ingest seeds Redis with it when it starts)';
}
