/**
 * Runs `work` now, or once more right after the run in progress: any number of kicks while it
 * runs cost one extra run, never two at once. `afterIdle` runs when a run ends with no kick
 * pending (e.g. to schedule the next timed check). After stop(), kicks do nothing.
 */
export class CoalescedRun {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly afterIdle?: () => void,
  ) {}

  /** Starts a run, or asks for one more after the current. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Lets kicks through again (after a stop). */
  resume(): void {
    this.stopped = false;
  }

  /** Stops further runs; resolves when the run in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.work();
    } while (this.again && !this.stopped);
    if (!this.stopped) this.afterIdle?.();
  }
}
