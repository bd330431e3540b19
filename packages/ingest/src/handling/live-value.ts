import type { Logger } from '@alertgw/shared';
import type { RedisEvents } from './redis-events';

/** How a LiveValue reads its value and learns about changes. */
export interface LiveValueOptions<T> {
  /** Names the value in log lines. */
  name: string;
  /** Reads the value and the version it belongs to. */
  load: () => Promise<{ version: number; value: T }>;
  /** Reads only the version (the cheap poll). */
  version: () => Promise<number>;
  events?: RedisEvents;
  channel: string;
  /** The version a pub/sub message announces, or undefined to ignore it (default: the message as a number). */
  parseMessage?: (message: string) => number | undefined;
  /** Fallback poll of the version, for messages lost while disconnected. */
  pollMs: number;
  logger?: Logger;
}

/**
 * A value kept in Redis with a version key, cached in this process: a pub/sub message
 * announcing a newer version reloads it at once, and a poll of the version key (one GET per
 * pollMs) catches what pub/sub lost. Reloads run one at a time; a failed reload keeps the
 * value in force and is retried by the next poll.
 */
export class LiveValue<T> {
  private current: { version: number; value: T } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  /** Reload requests made, and the newest one a finished load started after. */
  private requested = 0;
  private completed = 0;
  private readonly listeners: Array<(value: T, version: number) => void> = [];
  private failing = false;

  constructor(private readonly opts: LiveValueOptions<T>) {}

  /** The value in force; throws before start() resolved. */
  get value(): T {
    if (!this.current) throw new Error(`${this.opts.name} is not loaded yet`);
    return this.current.value;
  }

  /** The version of the value in force (0 before the first load). */
  get version(): number {
    return this.current?.version ?? 0;
  }

  /** Loads the value (throws if that fails), subscribes and starts the poll. */
  async start(): Promise<void> {
    this.current = await this.opts.load();
    const parse = this.opts.parseMessage ?? ((m: string) => (/^\d+$/.test(m) ? Number(m) : undefined));
    await this.opts.events?.on(this.opts.channel, (message) => {
      const version = parse(message);
      // A failed reload is retried by the next poll, which also logs it.
      if (version !== undefined && version > this.version) this.refresh(version).catch(() => {});
    });
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs);
    this.timer.unref();
  }

  /** Calls `fn` after every reload that changed the version. */
  onChange(fn: (value: T, version: number) => void): void {
    this.listeners.push(fn);
  }

  /**
   * Reloads now unless the value in force is at least `atLeast`; resolves when a load that
   * started after this call has finished (so a caller sees its own write), rejects if it failed.
   */
  async refresh(atLeast = Number.POSITIVE_INFINITY): Promise<void> {
    if (atLeast <= this.version) return;
    const ticket = ++this.requested;
    while (this.completed < ticket) await this.pump();
  }

  /** Stops polling; the value stays readable. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** The running reload loop, or a new one; loads run one at a time. */
  private pump(): Promise<void> {
    this.reloading ??= this.reloadLoop().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async reloadLoop(): Promise<void> {
    while (this.completed < this.requested) {
      const ticket = this.requested;
      const loaded = await this.opts.load();
      this.completed = ticket;
      if (loaded.version !== this.version) {
        this.current = loaded;
        for (const fn of this.listeners) fn(loaded.value, loaded.version);
      }
    }
  }

  private async poll(): Promise<void> {
    try {
      const version = await this.opts.version();
      if (version !== this.version) await this.refresh();
      if (this.failing) this.opts.logger?.info(`${this.opts.name}: reloading works again`, { version: this.version });
      this.failing = false;
    } catch (err) {
      // One line per outage: the poll repeats every pollMs.
      if (!this.failing) this.opts.logger?.warn(`${this.opts.name}: cannot reload; the version in force stays`, { err: (err as Error).message, version: this.version });
      this.failing = true;
    }
  }
}
