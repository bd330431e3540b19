/**
 * Under a storm (Alertmanager flushes hundreds of groups at once), deliveries wait for the CPU.
 * Node would work through them in the order their bodies arrived, so a critical group posted
 * among 900 info ones would be stored last. Here each validated delivery waits for its turn:
 * one delivery starts per turn of the event loop, the most urgent waiting first (lowest
 * severity rank, then arrival), and new bodies are read between turns, so a critical delivery
 * that arrives behind a backlog is stored next. Idle, a turn costs one setImmediate.
 *
 * Only the start is ordered: once a delivery's script is on its way to Redis, the next one starts
 * without waiting for the answer, so Redis round trips still overlap. Redis runs the scripts in
 * the order they were sent, so they too are stored most urgent first.
 */
export interface UrgentFirst {
  /** Resolves when it is this delivery's turn to be stored. */
  turn(rank: number): Promise<void>;
  /** Deliveries waiting for their turn (a gauge: non-zero only while ingest is behind). */
  readonly waiting: number;
}

interface Waiter {
  rank: number;
  seq: number;
  go: () => void;
}

export function createUrgentFirst(): UrgentFirst {
  // A binary heap by (rank, seq): a storm can hold a thousand waiters, and each turn takes one.
  const heap: Waiter[] = [];
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
  // setImmediate runs after the loop has polled for I/O: the bodies that arrived meanwhile are
  // in the heap before the next one is chosen.
  const next = () => {
    scheduled = false;
    pop()?.go();
    if (heap.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(next);
  };

  return {
    turn(rank) {
      return new Promise<void>((go) => {
        push({ rank, seq: seq++, go });
        schedule();
      });
    },
    get waiting() {
      return heap.length;
    },
  };
}
