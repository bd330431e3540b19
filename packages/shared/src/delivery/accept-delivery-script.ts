import path from 'node:path';
import type { RedisClient, EnqueueResult } from '../queue/task-queue';
import { luaScripts, type ScriptArg, type ScriptCall } from '../redis/lua-scripts';

const SCRIPTS = luaScripts(path.join(__dirname, 'lua'), { acceptDelivery: 'accept-delivery-n.lua' });

/** One channel's enqueue inside the accept-delivery script. */
export interface ChannelEnqueue {
  /** TaskQueue.enqueueCall() of the task. */
  call: ScriptCall;
  /**
   * True when the payload given to enqueueCall is only its head, up to `"alerts":`, and the
   * script completes it with the delivery's alerts JSON and `}`: the alerts, the bulk of every
   * payload, then cross the network once however many channels carry them.
   */
  appendAlerts: boolean;
}

/** Everything one delivery writes, as the scripts that write each part alone take it. */
export interface DeliveryWrite {
  channels: ChannelEnqueue[];
  /** The alerts array as JSON (needed when a channel has appendAlerts). */
  alertsJson: string | Buffer;
  /** upsertCall() of the records, with no tasks: the script adds their task-created events. */
  upsert: ScriptCall;
  /** DeliveryHandling.call(), when there is a handling step. */
  handling?: ScriptCall;
}

/**
 * Writes one delivery — every channel's task (idempotent per channel), the alert records with
 * their task-created events, the handling step — in one script: one round trip, and no other
 * client ever sees a task without its records.
 * All its keys share the hash tag `{prefix}`, so it runs on a Redis Cluster too.
 */
export async function runAcceptDelivery(redis: RedisClient, write: DeliveryWrite): Promise<EnqueueResult[]> {
  const keys: string[] = [];
  const args: ScriptArg[] = [write.channels.length, write.handling ? 1 : 0, write.channels.some((c) => c.appendAlerts) ? write.alertsJson : ''];
  for (const { call, appendAlerts } of write.channels) {
    keys.push(...call[0]);
    args.push(...call[1], appendAlerts ? 1 : 0);
  }
  keys.push(...write.upsert[0]);
  args.push(write.upsert[1].length, ...write.upsert[1]);
  if (write.handling) {
    keys.push(...write.handling[0]);
    args.push(...write.handling[1]);
  }
  const reply = (await SCRIPTS.run(redis, 'acceptDelivery', keys, args)) as Array<string | number>;
  return write.channels.map((_, i) => ({ id: String(reply[2 * i]), duplicate: Number(reply[2 * i + 1]) === 1 }));
}
