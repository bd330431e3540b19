import { DateTime } from 'luxon';
import type { NotifyTarget, ScheduleConfig } from '../config/types';
import { insideRestrictions, LayerRotation, restrictionEdgesAfter } from './layer-shift';

/** Zone of a schedule stored without one (the live directory always fills it in). */
export const FALLBACK_TIME_ZONE = 'UTC';

/** How a schedule arrived at who is on: an override, or the layer that won and those passed over. */
export interface OnCallPath {
  source: 'override' | 'layer' | 'nobody';
  /** The winning layer's name ("layer <n>" when it has none) and 0-based position. */
  layer?: string;
  layerIndex?: number;
  /** The winning shift: which turn of the rotation, and its bounds (ISO). */
  shift?: { index: number; start: string; end: string };
  /** The winning override's bounds (ISO). */
  override?: { from: string; to: string };
  /** Higher layers that had nobody on, and why ("outside its restrictions", "not started"). */
  passedOver: Array<{ layer: string; why: string }>;
}

/** Who a schedule names at one moment. */
export interface OnCallNow {
  /** User names or "group:<name>" as the schedule lists them; empty when nobody is on. */
  members: NotifyTarget[];
  path: OnCallPath;
}

/** Who is on at one moment and until when the same members stay on. */
export interface OnCall extends OnCallNow {
  schedule: string;
  timeZone: string;
  /** Epoch ms at which the members change; undefined when they do not within the look-ahead. */
  until?: number;
}

/** How far ahead `until` looks for a change (bounds the work of one answer); beyond it "until further notice". */
const LOOK_AHEAD_MS = 100 * 86_400_000;
/** Change points examined before giving up on finding a real change. */
const MAX_STEPS = 2_000;

/** A schedule prepared for repeated questions (zones, anchors and overrides parsed once). */
export interface CompiledSchedule {
  readonly name: string;
  readonly timeZone: string;
  /** Who is on at `atMs` (cheap: what each send asks). */
  at(atMs: number): OnCallNow;
  /** Who is on at `atMs`, and until when (what `alertctl oncall` and `route test` show). */
  onCallAt(atMs: number): OnCall;
}

/** Compiles a validated schedule; see ScheduleConfig for the rules (last layer with somebody on wins). */
export function compileSchedule(schedule: ScheduleConfig): CompiledSchedule {
  const zone = schedule.timeZone ?? FALLBACK_TIME_ZONE;
  const layers = schedule.layers.map((layer, i) => ({ layer, label: layer.name ?? `layer ${i + 1}`, rotation: new LayerRotation(layer, zone) }));
  const overrides = (schedule.overrides ?? []).map((o) => ({
    user: o.user,
    from: DateTime.fromISO(o.from, { zone }).toMillis(),
    to: DateTime.fromISO(o.to, { zone }).toMillis(),
  }));
  // Shift bounds repeat from one question to the next: formatted once (a zone conversion each).
  const formatted = new Map<number, string>();
  const iso = (ms: number): string => {
    let text = formatted.get(ms);
    if (text === undefined) {
      if (formatted.size >= 64) formatted.clear();
      text = DateTime.fromMillis(ms, { zone }).toISO() ?? '';
      formatted.set(ms, text);
    }
    return text;
  };
  // Per layer: whether its restrictions cover a stretch of time up to the next window edge, so
  // a burst of notifications needs no zone conversion. Not kept across a DST change, where an
  // edge inside the skipped hour would be placed after it.
  const windows: Array<{ from: number; until: number; inside: boolean } | undefined> = layers.map(() => undefined);
  const covered = (i: number, atMs: number): boolean => {
    const { restrictions } = layers[i]!.layer;
    if (!restrictions?.length) return true;
    const known = windows[i];
    if (known && known.from <= atMs && atMs < known.until) return known.inside;
    const local = DateTime.fromMillis(atMs, { zone });
    const inside = insideRestrictions(restrictions, local);
    const until = Math.min(...restrictionEdgesAfter(restrictions, local));
    if (Number.isFinite(until) && DateTime.fromMillis(until, { zone }).offset === local.offset) windows[i] = { from: atMs, until, inside };
    return inside;
  };

  const at = (atMs: number): OnCallNow => {
    for (let i = overrides.length - 1; i >= 0; i--) {
      const o = overrides[i]!;
      if (o.from <= atMs && atMs < o.to) {
        return { members: [o.user], path: { source: 'override', override: { from: iso(o.from), to: iso(o.to) }, passedOver: [] } };
      }
    }
    const passedOver: OnCallPath['passedOver'] = [];
    for (let i = layers.length - 1; i >= 0; i--) {
      const { layer, label, rotation } = layers[i]!;
      const shift = rotation.shiftAt(atMs);
      if (!shift) passedOver.push({ layer: label, why: `not started (first shift ${layer.start})` });
      else if (!covered(i, atMs)) passedOver.push({ layer: label, why: 'outside its restrictions' });
      else {
        return {
          members: [shift.member],
          path: { source: 'layer', layer: label, layerIndex: i, shift: { index: shift.index, start: iso(shift.start), end: iso(shift.end) }, passedOver },
        };
      }
    }
    return { members: [], path: { source: 'nobody', passedOver } };
  };

  /** Every instant after `atMs` at which the answer may change. */
  const nextEdge = (atMs: number): number => {
    const local = DateTime.fromMillis(atMs, { zone });
    let next = Number.POSITIVE_INFINITY;
    for (const o of overrides) for (const edge of [o.from, o.to]) if (edge > atMs) next = Math.min(next, edge);
    for (const { layer, rotation } of layers) {
      next = Math.min(next, rotation.nextBoundary(atMs), ...restrictionEdgesAfter(layer.restrictions, local));
    }
    return next;
  };

  return {
    name: schedule.name,
    timeZone: zone,
    at,
    onCallAt(atMs) {
      const now = at(atMs);
      const same = now.members.join('\0');
      let cursor = atMs;
      let until: number | undefined;
      // Step over edges where nothing changes (a lower layer's handover under a covering one).
      for (let step = 0; step < MAX_STEPS; step++) {
        cursor = nextEdge(cursor);
        if (!Number.isFinite(cursor) || cursor - atMs > LOOK_AHEAD_MS) break;
        if (at(cursor).members.join('\0') !== same) {
          until = cursor;
          break;
        }
      }
      return { schedule: schedule.name, timeZone: zone, ...now, ...(until !== undefined ? { until } : {}) };
    },
  };
}

/** Who `schedule` names at `atMs` and until when: the one rule every resolver and the CLI use. */
export function onCallAt(schedule: ScheduleConfig, atMs: number): OnCall {
  return compileSchedule(schedule).onCallAt(atMs);
}
