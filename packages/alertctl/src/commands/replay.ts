import { TaskQueue, type NotificationPayload } from '@alertgw/shared';
import type { RedisClient as Redis } from '@alertgw/shared';
import { CliError, EXIT, intOpt, println, type CliContext, type Command, type ParsedArgs } from '../command';
import { loadCliConfig, withRedis } from '../connect';
import { createProgress, type Progress } from '../progress';

/** `alertctl replay`: moves dead letters back to pending, some by id or all in batches. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'replay dead letters of a channel (some by id, or --all with progress)',
  help: `Usage: alertctl replay <channel> <task>…
       alertctl replay <channel> --all [--batch <n>]

Moves dead letters back to pending. Recipients already served keep their result, so a
replay only sends to those who did not get the notification. Task ids as shown by
\`alertctl queues\` (also "<channel>:<id>").

Options:
  --all              replay every dead letter there is now, oldest first, in batches
  --batch <n>        dead letters per Redis call with --all (default 500)
  --config <path>    configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: { all: { type: 'boolean' }, batch: { type: 'string' } },
  run: replay,
};

async function replay(args: ParsedArgs, ctx: CliContext): Promise<number> {
  const [channel, ...rawIds] = args.positionals;
  if (!channel) throw new CliError('replay needs a channel: alertctl replay <channel> <task>… or --all', EXIT.usage);
  const all = args.values.all === true;
  if (all && rawIds.length) throw new CliError('give task ids or --all, not both', EXIT.usage);
  if (!all && rawIds.length === 0) throw new CliError('replay needs task ids, or --all for every dead letter', EXIT.usage);
  const batch = intOpt(args, 'batch', 500);
  const ids = rawIds.map((raw) => taskId(raw, channel));

  const { config } = loadCliConfig(args, ctx);
  if (!config.channels[channel]) {
    throw new CliError(`unknown channel "${channel}" (configured: ${Object.keys(config.channels).join(', ')})`, EXIT.usage);
  }
  return withRedis(config, ctx, async (redis) => {
    const queue = new TaskQueue<NotificationPayload>({ redis, prefix: config.redis.keyPrefix, name: channel });
    if (all) return replayAll(queue, redis, batch, createProgress(ctx.stdout), ctx);
    return replayIds(queue, redis, ids, ctx);
  });
}

/** Accepts "12" and "email:12"; a different channel prefix is a mistake worth stopping on. */
function taskId(raw: string, channel: string): string {
  const colon = raw.lastIndexOf(':');
  if (colon < 0) return raw;
  if (raw.slice(0, colon) !== channel) throw new CliError(`task "${raw}" is not in channel ${channel}`, EXIT.usage);
  return raw.slice(colon + 1);
}

async function replayIds(queue: TaskQueue<NotificationPayload>, redis: Redis, ids: string[], ctx: CliContext): Promise<number> {
  // Which ids are dead letters now, so the answer can name the ones that were not.
  const scores = await Promise.all(ids.map((id) => redis.zscore(queue.keys.dead, id)));
  const dead = ids.filter((_, i) => scores[i] !== null);
  const notDead = ids.filter((_, i) => scores[i] === null);
  const replayed = dead.length ? await queue.replayDead(dead) : 0;
  println(ctx.stdout, `replayed ${replayed} of ${ids.length} task${ids.length === 1 ? '' : 's'} in ${queue.name}`);
  if (notDead.length) {
    throw new CliError(`not dead letters of ${queue.name} (unknown, expired, or already replayed): ${notDead.join(', ')}`);
  }
  if (replayed < dead.length) throw new CliError(`${dead.length - replayed} task(s) expired before they could be replayed`);
  return EXIT.ok;
}

/**
 * Replays the dead letters present at the start, oldest first, `batch` per script call. It
 * stops after that many even if tasks die again meanwhile (a broken channel would otherwise
 * loop forever): those go to the end of the dead set with a new time.
 */
async function replayAll(queue: TaskQueue<NotificationPayload>, redis: Redis, batch: number, progress: Progress, ctx: CliContext): Promise<number> {
  const total = await redis.zcard(queue.keys.dead);
  if (total === 0) {
    println(ctx.stdout, `no dead letters in ${queue.name}`);
    return EXIT.ok;
  }
  let seen = 0;
  let replayed = 0;
  const line = () => `replaying ${queue.name}: ${seen}/${total} (${Math.floor((seen / total) * 100)}%), ${replayed} back to pending`;
  while (seen < total) {
    if (ctx.signal?.aborted) {
      progress.done(`${line()} — interrupted; run it again for the rest`);
      return EXIT.failed;
    }
    const take = Math.min(batch, total - seen);
    replayed += await queue.replayDead([], take);
    seen += take;
    progress.update(line());
  }
  const expired = seen - replayed;
  progress.done(`replayed ${replayed} dead letter${replayed === 1 ? '' : 's'} of ${queue.name}${expired ? ` (${expired} had expired and were dropped)` : ''}`);
  return EXIT.ok;
}
