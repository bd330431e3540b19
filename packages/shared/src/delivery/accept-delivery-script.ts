import { createHash } from 'node:crypto';
import path from 'node:path';
import { Command } from 'ioredis';
import type { RedisClient, EnqueueResult } from '../queue/task-queue';
import type { ScriptArg, ScriptCall } from '../redis/lua-scripts';
import { readScript } from '../redis/read-script';

const ACCEPT = packedScript(readScript(path.join(__dirname, 'lua', 'accept-delivery-n.lua')));

/** Everything one webhook delivery writes, each part as the script that writes it alone takes it. */
export interface DeliveryWrite {
  /** Per channel, TaskQueue.enqueueCall() of its task. */
  enqueues: ScriptCall[];
  /** upsertCall() of the records; the script gives the upsert the tasks its enqueues made. */
  upsert: ScriptCall;
  /** DeliveryHandling.call(), when there is a handling step. */
  handling?: ScriptCall;
  /**
   * The shared part the enqueues name (their `part.key`, without a value): stored once, and
   * only when at least one of them created a task.
   */
  part?: { key: string; value: string };
}

/**
 * Writes one webhook delivery — every channel's task (idempotent per channel), the alert records
 * with their task-created events, the handling step — in one script: one round trip, and no
 * other client ever sees a task without its records. Each part's ARGV goes as built, prefixed
 * by its length. All its keys share the hash tag `{prefix}`, so it runs on a Redis Cluster too.
 */
export async function runAcceptDelivery(redis: RedisClient, write: DeliveryWrite): Promise<EnqueueResult[]> {
  const keys: string[] = [];
  const args: ScriptArg[] = [write.enqueues.length];
  const add = ([k, a]: ScriptCall) => {
    keys.push(...k);
    args.push(a.length, ...a);
  };
  write.enqueues.forEach(add);
  add(write.upsert);
  add(write.handling ?? [[], []]);
  args.push(write.part?.key ?? '', write.part?.value ?? '');
  // ~150 arguments for 10 alerts: sent pre-encoded (runPackedScript), not one by one by ioredis.
  const reply = (await runPackedScript(redis, ACCEPT, keys, args)) as Array<string | number>;
  return write.enqueues.map((_, i) => ({ id: String(reply[2 * i]), duplicate: Number(reply[2 * i + 1]) === 1 }));
}

/** A script sent by runPackedScript: its source and the SHA1 Redis knows it by. */
export interface PackedScript {
  lua: string;
  sha: string;
}

/** A script source ready for runPackedScript. */
export function packedScript(lua: string): PackedScript {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * One argument as a RESP bulk string in latin1 text (one char per byte), so that lengths are
 * character counts and the whole command becomes one buffer in a single copy. Bytes go as they
 * are: a Buffer unchanged, a string as UTF-8 (exactly what ioredis would send).
 */
function bulk(arg: ScriptArg): string {
  let s: string;
  if (typeof arg === 'number') s = String(arg);
  else if (typeof arg !== 'string') s = arg.toString('latin1');
  else s = ASCII.test(arg) ? arg : Buffer.from(arg).toString('latin1');
  return `$${s.length}\r\n${s}\r\n`;
}

/**
 * EVALSHA (EVAL on NOSCRIPT) whose arguments ioredis does not encode one by one: with a script of
 * ~150 arguments (the accept of a 10-alert delivery) ioredis spent ~55 µs per call on them
 * (a Buffer argument switches it to a buffer list); this writes the arguments, once, as one
 * latin1 string and one copy into a Buffer (~15 µs). The bytes on the wire are the same. The
 * command's own args hold only the SHA and KEYS, which is all a Cluster needs to route it.
 */
class PackedScriptCommand extends Command {
  private readonly tail: string;
  private readonly argCount: number;

  constructor(
    private readonly script: PackedScript,
    private readonly scriptKeys: readonly string[],
    args: readonly ScriptArg[],
    useEval: boolean,
  ) {
    // Replies as UTF-8 strings, as ioredis' own (non-Buffer) commands give them.
    super(useEval ? 'eval' : 'evalsha', [useEval ? script.lua : script.sha, scriptKeys.length, ...scriptKeys], { replyEncoding: 'utf8' });
    let tail = '';
    for (const a of args) tail += bulk(a);
    this.tail = tail;
    this.argCount = 2 + scriptKeys.length + args.length;
  }

  override toWritable(): Buffer {
    let head = `*${this.argCount + 1}\r\n${bulk(this.name)}${bulk(this.name === 'eval' ? this.script.lua : this.script.sha)}${bulk(this.scriptKeys.length)}`;
    for (const k of this.scriptKeys) head += bulk(k);
    return Buffer.from(head + this.tail, 'latin1');
  }
}

/**
 * Runs `script` with KEYS and ARGV as one EVALSHA, sent as one pre-encoded buffer; on NOSCRIPT
 * (a restarted or flushed Redis) it sends the source once with EVAL, as ioredis' own scripts do.
 * Resolves to the reply with bulk strings as UTF-8 strings. KEYS go as given: ioredis' own
 * `keyPrefix` option is not applied (gateway keys carry their deployment's prefix themselves).
 */
export async function runPackedScript(redis: RedisClient, script: PackedScript, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
  const send = (useEval: boolean) => {
    const cmd = new PackedScriptCommand(script, keys, args, useEval);
    void redis.sendCommand(cmd);
    return cmd.promise;
  };
  try {
    return await send(false);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.includes('NOSCRIPT')) throw err;
    return send(true);
  }
}
