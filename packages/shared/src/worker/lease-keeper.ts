import type { Logger } from '../log';
import type { TaskQueue } from '../queue/task-queue';

/** One lease a worker holds: its task's id and the fencing token of this claim. */
export interface HeldLease {
  readonly task: { readonly id: string; readonly token: string };
}

/**
 * Renews every lease a worker holds with one timer and one script call per tick (a third of
 * the lease), instead of one timer and one call per task: starting and settling a task then
 * costs no timer, and a wide worker sends one command per tick. Calls `onLost` for a lease
 * whose token no longer holds it, so its work can be aborted. It keeps the caller's own
 * entry (no wrapper object or callback per task: this runs for every claimed task).
 */
export class LeaseKeeper<L extends HeldLease> {
  /** By fencing token, unique per claim: a task lost and claimed again is two entries, not one. */
  private readonly held = new Map<string, L>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly queue: TaskQueue<unknown>,
    private readonly log: Logger,
    private readonly onLost: (lease: L) => void,
  ) {}

  /** Starts the renewal ticks; a tick with nothing held sends nothing, so an idle worker stays quiet. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.renew(), Math.max(50, Math.floor(this.queue.leaseMs / 3)));
    // The worker's sockets keep the process alive while it works; this timer alone should not.
    this.timer.unref();
  }

  /** Stops the ticks (after close: nothing is held any more). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Keeps renewing the lease of `lease.task` until drop(lease.task.token). */
  hold(lease: L): void {
    this.held.set(lease.task.token, lease);
  }

  /**
   * Stops renewing the lease held with `token`; call it before the settle script ends
   * the lease, so a renewal that runs after that script is not taken for a lost lease.
   */
  drop(token: string): void {
    this.held.delete(token);
  }

  private renew(): void {
    if (this.held.size === 0) return;
    const batch = [...this.held.values()];
    this.queue.extendMany(batch.map((lease) => lease.task)).then(
      (ok) => {
        batch.forEach((lease, i) => {
          // Dropped meanwhile (settled or given back): its lock is gone on purpose.
          if (ok[i] || this.held.get(lease.task.token) !== lease) return;
          this.held.delete(lease.task.token);
          this.onLost(lease);
        });
      },
      // Not a loss: Redis may be back before the lease runs out, and the next tick tries again.
      (err) => this.log.warn('lease renewal failed', { queue: this.queue.name, leases: batch.length, err }),
    );
  }
}
