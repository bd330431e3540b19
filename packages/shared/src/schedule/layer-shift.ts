import { DateTime } from 'luxon';
import type { ScheduleLayerConfig, ScheduleRestrictionConfig, Weekday } from '../config/types';

/** Luxon's weekday numbers (1 = Monday) by the names schedules use. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const HOUR_MS = 3_600_000;

/** One shift of a layer: which member (by position) is on, from when until when (epoch ms). */
export interface Shift {
  /** Position of the shift since the layer's start (0 = the first shift). */
  index: number;
  member: string;
  start: number;
  end: number;
}

/** Length of one shift in wall-clock hours ("day" = 24, "week" = 168, "12h" = 12). */
export function rotationHours(rotation: string): number {
  if (rotation === 'day') return 24;
  if (rotation === 'week') return 168;
  return Number(rotation.slice(0, -1));
}

/** Minutes since local midnight of "HH:MM" ("24:00" = 1440). */
export function clockMinutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/**
 * A layer's rotation in one zone. Shift boundaries are counted in WALL-CLOCK time (the local
 * date and time read as if it were UTC) and each boundary is then placed in the zone by Luxon,
 * so a daily 10:00 handover stays at 10:00 local across a DST change: the shift that contains
 * the change is an hour shorter or longer, as a person on call would expect.
 */
export class LayerRotation {
  private readonly anchorWall: number;
  private readonly lengthMs: number;
  private firstStart?: number;
  /**
   * The shift found last: notifications come in bursts around the same time, and a zone
   * conversion costs microseconds, so the common question is answered without one.
   */
  private last?: Shift;

  constructor(
    private readonly layer: ScheduleLayerConfig,
    private readonly zone: string,
  ) {
    this.lengthMs = rotationHours(layer.rotation) * HOUR_MS;
    let anchor = DateTime.fromISO(`${layer.start}T${layer.handoverTime ?? '00:00'}`, { zone: 'utc' });
    if (layer.rotation === 'week' && layer.handoverWeekday) {
      // The first handover weekday on or after the start date.
      const wanted = WEEKDAYS.indexOf(layer.handoverWeekday) + 1;
      anchor = anchor.plus({ days: (wanted - anchor.weekday + 7) % 7 });
    }
    this.anchorWall = anchor.toMillis();
  }

  /** The real instant (epoch ms) at which shift `k` starts. */
  boundary(k: number): number {
    return DateTime.fromMillis(this.anchorWall + k * this.lengthMs, { zone: 'utc' }).setZone(this.zone, { keepLocalTime: true }).toMillis();
  }

  /** The shift in force at `atMs`, or undefined before the layer's first shift. */
  shiftAt(atMs: number): Shift | undefined {
    const last = this.last;
    if (last && last.start <= atMs && atMs < last.end) return last;
    this.firstStart ??= this.boundary(0);
    if (!(atMs >= this.firstStart)) return undefined;
    const wall = DateTime.fromMillis(atMs, { zone: this.zone }).setZone('utc', { keepLocalTime: true }).toMillis();
    let k = Math.floor((wall - this.anchorWall) / this.lengthMs);
    // An unchecked schedule (bad zone or date) names nobody rather than throwing mid-delivery.
    if (!Number.isFinite(k)) return undefined;
    // Around a DST change the wall clock repeats or skips an hour: settle on real instants.
    while (this.boundary(k) > atMs) k--;
    while (this.boundary(k + 1) <= atMs) k++;
    if (k < 0) return undefined;
    const members = this.layer.members;
    this.last = { index: k, member: members[k % members.length]!, start: this.boundary(k), end: this.boundary(k + 1) };
    return this.last;
  }

  /** The first shift boundary after `atMs`. */
  nextBoundary(atMs: number): number {
    return this.shiftAt(atMs)?.end ?? this.boundary(0);
  }
}

/** True when `local` falls in one of the windows (no restrictions: always). */
export function insideRestrictions(restrictions: readonly ScheduleRestrictionConfig[] | undefined, local: DateTime): boolean {
  if (!restrictions || restrictions.length === 0) return true;
  const minute = local.hour * 60 + local.minute + local.second / 60;
  const today = WEEKDAYS[local.weekday - 1]!;
  const yesterday = WEEKDAYS[(local.weekday + 5) % 7]!;
  return restrictions.some((r) => {
    const from = clockMinutes(r.from);
    const to = clockMinutes(r.to);
    const on = (day: Weekday) => !r.weekdays || r.weekdays.includes(day);
    if (from < to) return on(today) && minute >= from && minute < to;
    // A window past midnight belongs to the day it starts on.
    return (on(today) && minute >= from) || (on(yesterday) && minute < to);
  });
}

/** Instants after `atMs` at which some window opens or closes (today and the next two days). */
export function restrictionEdgesAfter(restrictions: readonly ScheduleRestrictionConfig[] | undefined, local: DateTime): number[] {
  if (!restrictions || restrictions.length === 0) return [];
  const midnight = local.startOf('day');
  const out: number[] = [];
  for (let d = 0; d <= 2; d++) {
    const day = midnight.plus({ days: d });
    for (const r of restrictions) {
      for (const edge of [r.from, r.to]) {
        const minutes = clockMinutes(edge);
        const at = day.plus({ days: Math.floor(minutes / 1440) }).set({ hour: Math.floor((minutes % 1440) / 60), minute: minutes % 60 }).toMillis();
        if (at > local.toMillis()) out.push(at);
      }
    }
  }
  return out;
}
