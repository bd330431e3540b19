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
  rank: number;
  seq: number;
  since: number;
  started: boolean;
  go: () => void;
}

export function createUrgentFirst(opts: { maxWaitMs?: number } = {}): UrgentFirst {
  const maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
  // A binary heap by (rank, seq) for the most urgent, and the arrival order for the longest
  // waiting; a waiter started through one is skipped when the other reaches it.
  const heap: Waiter[] = [];
  let byArrival: Waiter[] = [];
  let arrivalHead = 0;
  let waiting = 0;
  let seq = 0;
  let scheduled = false;

  const before = (a: Waiter, b: Waiter) => a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq);
  const push = (w: Waiter) => {
    heap.push(w);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = (): Waiter | undefined => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };
  /** The longest-waiting waiter not started yet, if any. */
  const oldest = (): Waiter | undefined => {
    while (arrivalHead < byArrival.length && byArrival[arrivalHead]!.started) arrivalHead++;
    if (arrivalHead > 1024 && arrivalHead * 2 > byArrival.length) {
      byArrival = byArrival.slice(arrivalHead);
      arrivalHead = 0;
    }
    return byArrival[arrivalHead];
  };
  const urgent = (): Waiter | undefined => {
    let w = pop();
    while (w?.started) w = pop();
    return w;
  };
  // setImmediate runs after the loop has polled for I/O: the bodies that arrived meanwhile are
  // waiting before the next one is chosen.
  const next = () => {
    scheduled = false;
    const old = oldest();
    const w = old && performance.now() - old.since >= maxWaitMs ? old : urgent();
    if (w) {
      w.started = true;
      waiting--;
      w.go();
    }
    if (waiting > 0) schedule();
    else {
      // Nobody waits: drop what only the other view still held.
      heap.length = 0;
      byArrival = [];
      arrivalHead = 0;
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };

  return {
    turn(rank) {
      return new Promise<void>((go) => {
        const w: Waiter = { rank, seq: seq++, since: performance.now(), started: false, go };
        push(w);
        byArrival.push(w);
        waiting++;
        schedule();
      });
    },
    get waiting() {
      return waiting;
    },
  };
}
