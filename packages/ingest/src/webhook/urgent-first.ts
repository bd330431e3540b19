/**
 * Under a storm (Alertmanager flushes hundreds of groups at once), deliveries wait for the CPU.
 * Node would work through them in the order their bodies arrived, so a critical group posted
 * among 900 info ones would be stored last. Here each validated delivery waits for its turn:
 * one delivery starts per turn of the event loop, the most urgent waiting first (lowest
 * severity rank, then arrival), and new bodies are read between turns, so a critical delivery
 * that arrives behind a backlog is stored next. Idle, a turn costs one setImmediate.
 *
 * No delivery waits for ever behind more urgent ones: one that has waited `maxWaitMs` goes next
 * whatever its rank (oldest first), so a steady stream of critical deliveries slows the others
 * down but cannot starve them into Alertmanager's timeout.
 *
 * Only the start is ordered: once a delivery's script is on its way to Redis, the next one starts
 * without waiting for the answer, so Redis round trips still overlap. Redis runs the scripts in
 * the order they were sent, so they too are stored most urgent first.
 */
export interface UrgentFirst {
  /** Resolves when it is this delivery's turn to be stored. */
  turn(rank: number): Promise<void>;
  /** Deliveries waiting for their turn (non-zero only while ingest is behind). */
  readonly waiting: number;
}

/**
 * Longest a delivery waits behind more urgent ones before it goes next anyway. Alertmanager gives
 * a notification group_interval, and at least 10 s, before it gives up on it (notify.MinTimeout):
 * well inside that, and long enough that a storm's backlog (about a second here) stays in order.
 */
export const MAX_WAIT_MS = 5_000;

interface Waiter {
  since: number;
  go: () => void;
}

export function createUrgentFirst(opts: { maxWaitMs?: number } = {}): UrgentFirst {
  const maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
  // One FIFO per severity rank (a handful of ranks): the most urgent is the head of the lowest
  // rank's queue, the longest waiting the oldest of the heads.
  const byRank = new Map<number, Waiter[]>();
  let waiting = 0;
  let scheduled = false;

  /** The queue whose head goes next: the oldest head once it waited maxWaitMs, else the lowest rank's. */
  const nextQueue = (): [number, Waiter[]] | undefined => {
    let urgent: [number, Waiter[]] | undefined;
    let oldest: [number, Waiter[]] | undefined;
    for (const entry of byRank) {
      if (!urgent || entry[0] < urgent[0]) urgent = entry;
      if (!oldest || entry[1][0]!.since < oldest[1][0]!.since) oldest = entry;
    }
    return oldest && performance.now() - oldest[1][0]!.since >= maxWaitMs ? oldest : urgent;
  };
  // setImmediate runs after the loop has polled for I/O: the bodies that arrived meanwhile are
  // waiting before the next one is chosen.
  const next = () => {
    scheduled = false;
    const picked = nextQueue();
    if (picked) {
      const [rank, queue] = picked;
      const w = queue.shift()!;
      if (queue.length === 0) byRank.delete(rank);
      waiting--;
      w.go();
    }
    if (waiting > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };

  return {
    turn(rank) {
      return new Promise<void>((go) => {
        const queue = byRank.get(rank);
        const w = { since: performance.now(), go };
        if (queue) queue.push(w);
        else byRank.set(rank, [w]);
        waiting++;
        schedule();
      });
    },
    get waiting() {
      return waiting;
    },
  };
}
