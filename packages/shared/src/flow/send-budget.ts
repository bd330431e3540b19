import path from 'node:path';
import type { QueueKeys } from '../queue/keys';
import type { RedisClient } from '../queue/task-queue';
import { luaScripts } from '../redis/lua-scripts';

/** What a summary says about the newest notification it replaces. */
export interface DigestLatest {
  /** "DiskFull (db-3)". */
  what: string;
  alertname: string;
  severity: string;
}

/** One notification as a send budget sees it. */
export interface BudgetNotification {
  /** Unique per notification and stable across re-runs: the task id. */
  member: string;
  firing: number;
  resolved: number;
  severityRank: number;
  latest: DigestLatest;
  /** Kept per merged notification and handed back in the snapshot's `items` (chat lists the merged groups); JSON-able. */
  brief?: Record<string, unknown>;
}

/** Per subject: send now, or merged into the subject's digest generation `gen`. */
export type AdmitResult =
  | { status: 'admitted' }
  | { status: 'merged'; gen: number; freeAt: number; count: number; now: number };

/** A digest generation taken for its summary. */
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
  /** The `brief` of each merged notification that had one. */
  items: Array<Record<string, unknown>>;
}

/** Whether a digest can go out now. */
export type FlushResult =
  | { status: 'flush'; snapshot: DigestSnapshot }
  | { status: 'wait'; freeAt: number; now: number }
  | { status: 'empty' };

/** "At most `max` sends in any `windowMs`". */
export interface BudgetLimit {
  max: number;
  windowMs: number;
}

/** Per-subject send budgets and digests, shared by every replica through Redis. */
export interface SendBudget {
  /** Takes a budget slot per subject, or merges the notification into that subject's digest. One round trip. */
  admit(subjects: string[], n: BudgetNotification, limits?: BudgetLimit[]): Promise<Map<string, AdmitResult>>;
  /** Takes digest generation `gen` of `subject` for task `taskId` when the budget allows. */
  flush(subject: string, gen: number, taskId: string, limits?: BudgetLimit[]): Promise<FlushResult>;
  /**
   * Moves the slot a send took (`member`: the task id, or `digest:<gen>` for a summary) to now,
   * once the provider answered: the window then runs from when the send happened, as the
   * provider's does, not from when its slot was taken.
   */
  stamp(subject: string, member: string, limits?: BudgetLimit[]): Promise<void>;
  /** Redis keys of one subject (tests, admin tools). */
  keysOf(subject: string): { budget: string; digest: string };
}

/** Digests live long enough to outlast a night of retries; each merge renews it. */
const MIN_DIGEST_TTL_MS = 7 * 86_400_000;

const SCRIPTS = luaScripts(path.join(__dirname, 'lua'), { budget_admit: 'admit-2.lua', budget_flush: 'flush-2.lua', budget_stamp: 'stamp-1.lua' });

/** The budget member a summary of digest generation `gen` takes its slot as (flush-2.lua). */
export const digestMember = (gen: number): string => `digest:${gen}`;

const limitSpec = (limits: BudgetLimit[]) => limits.map((l) => `${Math.floor(l.max)}:${Math.floor(l.windowMs)}`).join(';');

/**
 * Send budgets: at most `max` sends per subject in any `windowMs`, for every limit given (SMS:
 * one per phone; a Feishu robot: 100 a minute and 5 a second). Over budget a notification is
 * not dropped but merged into the subject's digest; one summary per digest generation goes out
 * when every limit has a slot. Keys sit in the queue's hash tag (`{<prefix>}:<queue>:budget:<subject>`,
 * `…:digest:<subject>`), so each script touches one slot. `limits` may be given per call (a chat
 * robot's limits depend on its type); the default is the one given here.
 */
export function createSendBudget(opts: { redis: RedisClient; keys: QueueKeys; limits: BudgetLimit[] }): SendBudget {
  const { redis, keys } = opts;
  const longest = (limits: BudgetLimit[]) => Math.max(...limits.map((l) => l.windowMs));
  const digestTtl = (limits: BudgetLimit[]) => Math.max(MIN_DIGEST_TTL_MS, 3 * longest(limits));
  SCRIPTS.define(redis);
  const keysOf = (subject: string) => ({ budget: keys.sendBudget(subject), digest: keys.sendDigest(subject) });

  return {
    keysOf,
    async admit(subjects, n, limits = opts.limits) {
      const out = new Map<string, AdmitResult>();
      if (subjects.length === 0) return out;
      const pipeline = redis.pipeline();
      for (const subject of subjects) {
        const k = keysOf(subject);
        SCRIPTS.queue(pipeline, 'budget_admit', [k.budget, k.digest], [
          n.member,
          limitSpec(limits),
          n.firing,
          JSON.stringify(n.latest),
          n.severityRank,
          digestTtl(limits),
          n.resolved,
          n.brief ? JSON.stringify(n.brief) : '',
        ]);
      }
      const replies = (await pipeline.exec()) ?? [];
      subjects.forEach((subject, i) => {
        const [err, reply] = replies[i] ?? [new Error('no reply'), null];
        if (err) throw err;
        const r = reply as Array<string | number>;
        out.set(
          subject,
          r[0] === 'admitted'
            ? { status: 'admitted' }
            : { status: 'merged', gen: Number(r[1]), freeAt: Number(r[2]), count: Number(r[3]), now: Number(r[4]) },
        );
      });
      return out;
    },
    async stamp(subject, member, limits = opts.limits) {
      await SCRIPTS.run(redis, 'budget_stamp', [keysOf(subject).budget], [member, longest(limits)]);
    },
    async flush(subject, gen, taskId, limits = opts.limits) {
      const k = keysOf(subject);
      const r = (await SCRIPTS.run(redis, 'budget_flush', [k.budget, k.digest], [gen, taskId, limitSpec(limits), digestTtl(limits)])) as Array<string | number>;
      if (r[0] === 'wait') return { status: 'wait', freeAt: Number(r[1]), now: Number(r[2]) };
      if (r[0] !== 'flush') return { status: 'empty' };
      const raw = JSON.parse(String(r[1])) as Omit<DigestSnapshot, 'latest' | 'items'> & { latest: string; items: unknown };
      // cjson writes an empty Lua table as {}, not [].
      const items = Array.isArray(raw.items) ? raw.items.map((s) => JSON.parse(String(s)) as Record<string, unknown>) : [];
      return { status: 'flush', snapshot: { ...raw, latest: JSON.parse(raw.latest) as DigestLatest, items } };
    },
  };
}
