import path from 'node:path';
import { luaScripts, type QueueKeys, type RedisClient } from '@alertgw/shared';

/** What a storm summary says about the newest notification it replaces. */
export interface DigestLatest {
  /** "DiskFull (db-3)". */
  what: string;
  alertname: string;
  severity: string;
}

/** One notification as storm control sees it. */
export interface StormNotification {
  /** Unique per notification and stable across re-runs: the task id. */
  member: string;
  firing: number;
  resolved: number;
  severityRank: number;
  latest: DigestLatest;
}

/** Per phone: send now, or merged into the phone's digest generation `gen`. */
export type AdmitResult =
  | { status: 'admitted' }
  | { status: 'merged'; gen: number; freeAt: number; count: number; now: number };

/** A digest generation taken for its summary SMS. */
export interface DigestSnapshot {
  gen: number;
  /** Notifications merged. */
  count: number;
  firing: number;
  resolved: number;
  latest: DigestLatest;
  rank: number;
  firstAt: number;
  /** Digest task that took it. */
  by: string;
  at: number;
}

/** Whether a digest can go out now. */
export type FlushResult =
  | { status: 'flush'; snapshot: DigestSnapshot }
  | { status: 'wait'; freeAt: number; now: number }
  | { status: 'empty' };

/** Per-phone SMS budget and digests, shared by every replica through Redis. */
export interface StormControl {
  /** Takes a budget slot per phone, or merges the notification into that phone's digest. One round trip. */
  admit(phones: string[], n: StormNotification): Promise<Map<string, AdmitResult>>;
  /** Takes digest generation `gen` of `phone` for task `taskId` when the budget allows. */
  flush(phone: string, gen: number, taskId: string): Promise<FlushResult>;
  /** Redis keys of one phone (tests, admin tools). */
  keysOf(phone: string): { budget: string; digest: string };
}

/** Digests live long enough to outlast a night of retries; each merge renews it. */
const MIN_DIGEST_TTL_MS = 7 * 86_400_000;

const SCRIPTS = luaScripts(path.join(__dirname, 'lua'), { sms_admit: 'admit-2.lua', sms_flush: 'flush-2.lua' });

/**
 * Storm control: at most `maxPerWindow` SMS per phone per sliding `windowMs`. Over budget
 * a notification is not dropped but merged into the phone's digest; one summary SMS per
 * digest generation goes out when a slot frees. Keys sit in the SMS queue's hash tag
 * (`{<prefix>}:sms:budget:<phone>`, `…:digest:<phone>`), so each script touches one slot.
 */
export function createStormControl(opts: { redis: RedisClient; keys: QueueKeys; budget: { maxPerWindow: number; windowMs: number } }): StormControl {
  const { redis, keys, budget } = opts;
  const digestTtl = Math.max(MIN_DIGEST_TTL_MS, 3 * budget.windowMs);
  SCRIPTS.define(redis);
  const keysOf = (phone: string) => ({ budget: keys.phoneBudget(phone), digest: keys.phoneDigest(phone) });

  return {
    keysOf,
    async admit(phones, n) {
      const out = new Map<string, AdmitResult>();
      if (phones.length === 0) return out;
      const pipeline = redis.pipeline();
      for (const phone of phones) {
        const k = keysOf(phone);
        SCRIPTS.queue(pipeline, 'sms_admit', [k.budget, k.digest], [
          n.member,
          budget.maxPerWindow,
          budget.windowMs,
          n.firing,
          JSON.stringify(n.latest),
          n.severityRank,
          digestTtl,
          n.resolved,
        ]);
      }
      const replies = (await pipeline.exec()) ?? [];
      phones.forEach((phone, i) => {
        const [err, reply] = replies[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        const r = reply as Array<string | number>;
        out.set(
          phone,
          r[0] === 'admitted'
            ? { status: 'admitted' }
            : { status: 'merged', gen: Number(r[1]), freeAt: Number(r[2]), count: Number(r[3]), now: Number(r[4]) },
        );
      });
      return out;
    },
    async flush(phone, gen, taskId) {
      const k = keysOf(phone);
      const r = (await SCRIPTS.run(redis, 'sms_flush', [k.budget, k.digest], [gen, taskId, budget.maxPerWindow, budget.windowMs, digestTtl])) as Array<string | number>;
      if (r[0] === 'wait') return { status: 'wait', freeAt: Number(r[1]), now: Number(r[2]) };
      if (r[0] !== 'flush') return { status: 'empty' };
      const raw = JSON.parse(String(r[1])) as Omit<DigestSnapshot, 'latest'> & { latest: string };
      return { status: 'flush', snapshot: { ...raw, latest: JSON.parse(raw.latest) as DigestLatest } };
    },
  };
}
