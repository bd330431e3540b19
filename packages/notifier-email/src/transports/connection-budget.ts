import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { GatewayError, luaScripts, type QueueKeys, type RedisClient } from '@alertgw/shared';

/** Options of a connection budget shared by the replicas of the email notifier. */
export interface ConnectionBudgetOptions {
  redis: RedisClient;
  /** The email queue's keys: the budget sits under its hash tag. */
  keys: Pick<QueueKeys, 'connectionSlots' | 'connectionHolders'>;
  /** Connections all replicas together may hold open (email.smtp.maxConnectionsTotal). */
  total: number;
  /** How long a permit or a replica's place lives without renewal: what a crashed replica's slots cost. */
  leaseMs?: number;
  /** Longest a new connection waits for a permit before its mail fails (and is retried). */
  waitMs?: number;
}

/** A permit for one connection; release it when the connection has closed. */
export interface ConnectionPermit {
  id: string;
  /** Gives the permit back (idempotent). */
  release(): void;
  /** Set by the budget when the permit's lease was found expired: close the connection. */
  onLost?: () => void;
}

/** The relay's connection budget, shared by every replica through Redis (a lease semaphore). */
export interface ConnectionBudget {
  readonly holder: string;
  readonly total: number;
  /** This replica's share of the total, as the last heartbeat or acquire reported it. */
  readonly share: number;
  /**
   * Waits until a permit is granted (or `waitMs` passes: a transient error); fails at once (see
   * isOverShare) when this replica holds its share already.
   */
  acquire(signal?: AbortSignal): Promise<ConnectionPermit>;
  /** Permits held now. */
  readonly held: number;
  /** Calls `listener` whenever this replica's share changes (a replica joined, or one's place expired). */
  onShareChange(listener: (share: number) => void): void;
  /** Stops the heartbeat and gives back every permit and this replica's place. */
  close(): Promise<void>;
}

const SCRIPTS = luaScripts(path.join(__dirname, '..', 'lua'), { email_slot_acquire: 'slot-acquire-2.lua', email_slot_renew: 'slot-renew-2.lua' });

/** providerCode of the error a connection gets when its replica holds its share already: send the mail on another. */
export const OVER_SHARE = 'EBUDGET-SHARE';

/** Whether `error` says the connection could not open because its replica holds its share of the budget. */
export function isOverShare(error: unknown): boolean {
  return error instanceof GatewayError && (error.details as { providerCode?: string } | undefined)?.providerCode === OVER_SHARE;
}

/** First pause between two tries for a permit; the pauses grow to POLL_MAX_MS, with jitter. */
const POLL_FIRST_MS = 5;
const POLL_MAX_MS = 50;

/**
 * A permit goes back this long after its connection closed: the relay counts a connection until
 * it has seen it close, and a permit handed on at once would let the next connection arrive
 * while the relay still counts the old one (a 421 it sends to a client within its limit).
 */
export const RELEASE_LINGER_MS = 25;

/**
 * Starts this replica's part of a connection budget: a heartbeat every leaseMs/3 keeps it among
 * the live holders (so the total is split among replicas before the first storm) and renews the
 * permits of its open connections, in one script call. A crashed replica stops renewing: its
 * place and its permits expire after `leaseMs`, and the others' shares grow.
 */
export function startConnectionBudget(opts: ConnectionBudgetOptions): ConnectionBudget {
  const { redis, keys, total } = opts;
  const leaseMs = opts.leaseMs ?? 15_000;
  const waitMs = opts.waitMs ?? 30_000;
  // Permit ids are "<holder>/<n>"; a holder name never holds "/".
  const holder = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const permits = new Map<string, ConnectionPermit>();
  let counter = 0;
  let share = total;
  let closed = false;
  const listeners: Array<(share: number) => void> = [];
  SCRIPTS.define(redis);
  const scriptKeys = [keys.connectionSlots, keys.connectionHolders];

  const setShare = (n: number) => {
    if (n === share) return;
    share = n;
    for (const listener of listeners) listener(n);
  };

  const heartbeat = async () => {
    const ids = [...permits.keys()];
    const reply = (await SCRIPTS.run(redis, 'email_slot_renew', scriptKeys, [holder, total, leaseMs, ...ids])) as Array<string | number>;
    setShare(Number(reply[0]));
    for (const lost of reply.slice(1)) permits.get(String(lost))?.onLost?.();
  };
  const beat = () => {
    heartbeat().catch(() => undefined);
  };
  const timer = setInterval(beat, Math.max(50, Math.floor(leaseMs / 3)));
  timer.unref();
  beat();

  const tryOnce = async (id: string): Promise<'granted' | 'share' | 'full'> => {
    const [granted, n, why] = (await SCRIPTS.run(redis, 'email_slot_acquire', scriptKeys, [holder, id, total, leaseMs])) as [number, number, string?];
    setShare(Number(n));
    return granted === 1 ? 'granted' : why === 'share' ? 'share' : 'full';
  };

  return {
    holder,
    total,
    get share() {
      return share;
    },
    get held() {
      return permits.size;
    },
    onShareChange(listener) {
      listeners.push(listener);
    },
    async acquire(signal) {
      const id = `${holder}/${++counter}`;
      const deadline = Date.now() + waitMs;
      for (let pause = POLL_FIRST_MS; ; pause = Math.min(POLL_MAX_MS, pause * 2)) {
        signal?.throwIfAborted();
        if (closed) throw new GatewayError('SEND_TRANSIENT', 'connection budget closed', { retryable: true, details: { providerCode: 'EBUDGET' } });
        const answer = await tryOnce(id);
        if (answer === 'granted') break;
        // Only this replica's own connections could free a permit for it: waiting here would hold
        // a mail back behind them. The mail goes back to the transport, which sends it on one of them.
        if (answer === 'share') {
          throw new GatewayError('SEND_TRANSIENT', `this replica holds its share (${share}) of email.smtp.maxConnectionsTotal already`, {
            retryable: true,
            details: { providerCode: OVER_SHARE },
          });
        }
        if (Date.now() + pause > deadline) {
          throw new GatewayError('SEND_TRANSIENT', `no free connection to the mail server within ${waitMs} ms (email.smtp.maxConnectionsTotal = ${total})`, {
            retryable: true,
            details: { providerCode: 'EBUDGET' },
          });
        }
        await new Promise((r) => setTimeout(r, pause * (0.5 + Math.random())));
      }
      let released = false;
      const permit: ConnectionPermit = {
        id,
        release() {
          if (released) return;
          released = true;
          setTimeout(() => {
            permits.delete(id);
            redis.zrem(keys.connectionSlots, id).catch(() => undefined);
          }, RELEASE_LINGER_MS).unref();
        },
      };
      permits.set(id, permit);
      return permit;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      const ids = [...permits.keys()];
      permits.clear();
      const pipeline = redis.pipeline();
      if (ids.length) pipeline.zrem(keys.connectionSlots, ...ids);
      pipeline.zrem(keys.connectionHolders, holder);
      await pipeline.exec().catch(() => undefined);
    },
  };
}
