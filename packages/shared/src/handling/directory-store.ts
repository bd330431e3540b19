import type { GatewayConfig, ScheduleConfig } from '../config/types';
import { FALLBACK_TIME_ZONE } from '../schedule/on-call';
import { GatewayError } from '../errors';
import type { RedisClient } from '../queue/task-queue';
import { DirectoryKeys } from './handling-keys';
import { runHandlingScript } from './handling-scripts';
import type { DirectoryDoc, StoredDirectory } from './types';
import { describeProblems, validateDirectory } from './validate-directory';

/** Attempts of a read-change-write before giving up on a directory that keeps changing. */
const MAX_ATTEMPTS = 10;

/**
 * The directory part of a configuration, as a document to seed Redis with. Schedules get their
 * zone filled in (schedulesTimeZone), so whoever reads the live directory needs no config.
 */
export function directoryFromConfig(
  config: Pick<GatewayConfig, 'users' | 'routes' | 'mandatory'> & Partial<Pick<GatewayConfig, 'schedules' | 'schedulesTimeZone' | 'robots'>>,
): DirectoryDoc {
  const doc = JSON.parse(JSON.stringify(directoryParts(config))) as DirectoryDoc;
  if (config.schedules?.length) doc.schedules = withTimeZones(config.schedules, config.schedulesTimeZone);
  return doc;
}

/** The entries of a directory, without its bookkeeping; `robots` left out when there are none (as written before chat). */
function directoryParts(doc: Pick<DirectoryDoc, 'users' | 'routes' | 'mandatory' | 'robots' | 'schedules'>): Partial<DirectoryDoc> {
  const { users, routes, mandatory, schedules, robots } = doc;
  return { users, routes, mandatory, schedules, ...(robots && robots.length > 0 ? { robots } : {}) };
}

/** Copies of the schedules, each naming its zone (`defaultZone` where it named none). */
export function withTimeZones(schedules: readonly ScheduleConfig[], defaultZone: string | undefined): ScheduleConfig[] {
  return schedules.map((s) => JSON.parse(JSON.stringify({ ...s, timeZone: s.timeZone ?? defaultZone ?? FALLBACK_TIME_ZONE })) as ScheduleConfig);
}

/**
 * The notification directory (users, robots, routes, mandatory) in Redis: one JSON document and a
 * version. Every write validates the whole resulting document with the config's rules, then
 * compare-and-sets it against the version it was derived from and publishes the new version,
 * so a bad change is refused whole and two concurrent changes never lose one another.
 */
export class DirectoryStore {
  readonly keys: DirectoryKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    /** Channels a route may name (the configured ones). */
    private readonly channels: readonly string[],
  ) {
    this.keys = new DirectoryKeys(prefix);
  }

  /** The stored directory, or null when Redis has none yet. */
  async read(): Promise<StoredDirectory | null> {
    // doc and ver share a slot: MGET reads both at one instant.
    const [doc, version] = await this.redis.mget(this.keys.doc, this.keys.version);
    if (doc === null || version === null) return null;
    return { version: Number(version), doc: JSON.parse(doc) as DirectoryDoc };
  }

  /** The stored version; 0 when Redis has none yet. */
  async version(): Promise<number> {
    return Number((await this.redis.get(this.keys.version)) ?? 0);
  }

  /** Writes `doc` only if Redis has no directory yet; says whether it did. Refuses an invalid one. */
  async seed(doc: DirectoryDoc, by: string): Promise<{ seeded: boolean; version: number }> {
    const reply = await this.put(this.checked(doc, by), 0);
    return { seeded: reply.ok, version: reply.version };
  }

  /** Replaces whatever is stored with `doc` (alertctl directory reseed). Refuses an invalid one. */
  async replace(doc: DirectoryDoc, by: string): Promise<StoredDirectory> {
    const checked = this.checked(doc, by);
    const reply = await this.put(checked, -1);
    return { version: reply.version, doc: checked };
  }

  /**
   * Applies `change` to the stored document (or `fallback` when none is stored: the config's
   * seed) and writes the result if it is valid. `change` edits its argument in place and may
   * throw (e.g. NOT_FOUND). Throws GatewayError BAD_REQUEST with details.problems when the
   * result is invalid; the stored directory is then untouched.
   */
  async update(by: string, change: (doc: DirectoryDoc) => void, fallback?: DirectoryDoc): Promise<StoredDirectory> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await this.read();
      const base = stored?.doc ?? fallback;
      if (!base) throw new GatewayError('NOT_FOUND', 'the directory is not in Redis yet (start ingest once, or alertctl directory reseed)');
      const doc = JSON.parse(JSON.stringify(base)) as DirectoryDoc;
      change(doc);
      const checked = this.checked(doc, by);
      const reply = await this.put(checked, stored?.version ?? 0);
      if (reply.ok) return { version: reply.version, doc: checked };
      // Someone else wrote first: read their version and apply the change again, after a
      // random pause so that writers colliding now do not collide again.
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
    throw new GatewayError('CONFLICT', 'the directory kept changing while this change was applied; retry');
  }

  private checked(doc: DirectoryDoc, by: string): DirectoryDoc {
    const out = JSON.parse(JSON.stringify(directoryParts(doc))) as DirectoryDoc;
    const problems = validateDirectory(out, this.channels);
    if (problems.length > 0) {
      const lines = describeProblems(problems, out);
      throw new GatewayError('BAD_REQUEST', `directory change refused, the rules in force stay: ${lines.join('; ')}`, {
        details: { problems: problems.map((p, i) => ({ ...p, text: lines[i] })) },
      });
    }
    out.updatedAt = new Date().toISOString();
    out.updatedBy = by;
    return out;
  }

  private async put(doc: DirectoryDoc, expected: number): Promise<{ ok: boolean; version: number }> {
    const reply = (await runHandlingScript(this.redis, 'putDirectory', [this.keys.doc, this.keys.version], [expected, JSON.stringify(doc), this.keys.events])) as [
      number,
      number,
    ];
    return { ok: Number(reply[0]) === 1, version: Number(reply[1]) };
  }
}
