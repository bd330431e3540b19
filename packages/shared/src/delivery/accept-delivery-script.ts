import path from 'node:path';
import type { RedisClient, EnqueueResult } from '../queue/task-queue';
import type { ScriptArg, ScriptCall } from '../redis/lua-scripts';
import { packedScript, runPackedScript } from '../redis/packed-script-call';
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
