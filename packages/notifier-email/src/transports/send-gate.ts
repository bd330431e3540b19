/** A send waiting for its turn. */
interface Waiter {
  priority: number;
  /** What passOn hands over with the turn (the mail, for a connection to send at once). */
  payload?: unknown;
  /** Hands the waiter its turn, already counted as running. */
  resolve: (leave: () => void) => void;
  reject: (err: unknown) => void;
}

/** Shortest time between two halvings: one burst of 421s is one signal, not ten. */
const DECREASE_EVERY_MS = 200;

/**
 * How many mails one replica sends at once, and which goes next. At most `allowed` run at a
 * time: the smallest of the pool size (`cap`), this replica's share of a shared connection
 * budget, and a limit that adapts to the server (halved on a 421 "slow down", +1 per
 * `limit` mails sent without one, as TCP does). A freed turn goes to the most urgent waiting
 * mail (lowest priority number, then arrival), so a critical task that arrives while info
 * mails wait is sent first. A turn can also go straight from a mail that is ending to the
 * next one (passOn), for a connection that sends that mail right behind it.
 */
export class SendGate {
  private running = 0;
  private waiting: Waiter[] = [];
  private limit: number;
  private share = Infinity;
  private lastDecrease = 0;
  /** Whether each turn handed out has ended (left or passed on), by its leave function. */
  private turns = new WeakMap<() => void, { over: boolean }>();

  constructor(private readonly cap: number) {
    this.limit = cap;
  }

  /** Mails sent at once now. */
  get allowed(): number {
    return Math.max(1, Math.min(this.cap, this.share, Math.floor(this.limit)));
  }

  /** Mails sending now. */
  get active(): number {
    return this.running;
  }

  /** Mails waiting for a turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /** This replica's share of a shared connection budget changed. */
  setShare(share: number): void {
    this.share = share;
    this.next();
  }

  /** The server said "slow down" (421): halve the limit, at most once per DECREASE_EVERY_MS. */
  slowDown(now = Date.now()): void {
    if (now - this.lastDecrease < DECREASE_EVERY_MS) return;
    this.lastDecrease = now;
    this.limit = Math.max(1, Math.min(this.limit, this.running) / 2);
  }

  /** A mail went through: the limit grows back by one per `limit` mails, up to the cap. */
  succeeded(): void {
    this.limit = Math.min(this.cap, this.limit + 1 / Math.max(1, this.limit));
    this.next();
  }

  /**
   * Waits for a turn; call the returned function once the send is over. `payload` is what
   * passOn hands to whoever takes this turn from a mail that is ending.
   */
  async enter(priority: number, signal?: AbortSignal, payload?: unknown): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.running < this.allowed && this.waiting.length === 0) return this.take();
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { priority, payload, resolve, reject };
      // Sorted insert behind every waiter of the same priority: a turn takes the head.
      let i = this.waiting.length;
      while (i > 0 && this.waiting[i - 1].priority > priority) i--;
      this.waiting.splice(i, 0, waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.waiting.indexOf(waiter);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /**
   * The mail holding the turn `leave` is ending on a connection that can send another at once:
   * the turn goes to the most urgent waiting mail, whose enter() resolves, and `leave` does
   * nothing from then on. Returns that mail's payload and its turn, or undefined when there is
   * none to pass on: `leave` is not a running turn, no mail with a payload waits first in line,
   * or fewer mails may run now than do (after a 421: the turn is to end).
   */
  passOn(leave: () => void): { payload: unknown; leave: () => void } | undefined {
    const turn = this.turns.get(leave);
    const head = this.waiting[0];
    if (!turn || turn.over || !head || head.payload === undefined || this.running > this.allowed) return undefined;
    this.waiting.shift();
    turn.over = true;
    this.running--;
    const next = this.take();
    head.resolve(next);
    return { payload: head.payload, leave: next };
  }

  private take(): () => void {
    this.running++;
    const turn = { over: false };
    const leave = () => {
      if (turn.over) return;
      turn.over = true;
      this.running--;
      this.next();
    };
    this.turns.set(leave, turn);
    return leave;
  }

  private next(): void {
    while (this.waiting.length > 0 && this.running < this.allowed) this.waiting.shift()!.resolve(this.take());
  }
}
