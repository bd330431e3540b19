import type { NotifyTarget, RouteConfig } from '../config/types';
import { ROBOT_PREFIX } from '../resolver/directory';
import { matches, type Matcher } from '../resolver/matcher';
import { parseMatchers } from '../resolver/parse-matchers';
import type { LabelSet } from '../webhook/types';

/** The channels an escalation tier pages on: people by SMS, chat robots in their group. */
export type EscalationChannel = 'sms' | 'chat';

/**
 * One escalation tier of one route on one channel, ready to schedule. A tier naming people and
 * robots is two of these, one task each: `<route>#<n>` for the SMS, `<route>#<n>@chat` for the
 * robots (route names cannot hold `#`, so the ids stay apart).
 */
export interface EscalationTier {
  /** `<route>#<n>` (SMS) or `<route>#<n>@chat`, n counting from 1: unique per alert, stable while the route keeps its tiers. */
  id: string;
  channel: EscalationChannel;
  route: string;
  /** 1-based position in the route's `escalate` list. */
  tier: number;
  afterMs: number;
  notify: NotifyTarget[];
}

/** The escalation tiers of a directory, compiled once per version. */
export interface EscalationIndex {
  /** True when no route escalates: deliveries then skip the whole step. */
  readonly empty: boolean;
  /** The tiers that apply to a firing alert with these labels, soonest first. */
  tiersFor(labels: LabelSet): EscalationTier[];
}

interface CompiledRoute {
  matchers: Matcher[];
  tiers: Array<EscalationTier & { severities?: Set<string> }>;
}

/**
 * Compiles the `escalate` lists of the routes: a tier applies to a firing alert when all of
 * its route's matchers match the alert's own labels (escalation is per alert, not per group)
 * and the alert's severity is one the tier lists (any when it lists none; case-insensitive).
 * Throws GatewayError CONFIG_INVALID on a matcher that does not parse (validation refuses
 * such routes before they get here).
 */
export function compileEscalations(routes: readonly RouteConfig[]): EscalationIndex {
  const compiled: CompiledRoute[] = routes
    .filter((r) => (r.escalate ?? []).length > 0)
    .map((route) => ({
      matchers: route.matchers.flatMap((m) => parseMatchers(m)),
      tiers: (route.escalate ?? []).flatMap((t, i) => {
        const tier = {
          route: route.name,
          tier: i + 1,
          afterMs: Math.round(t.afterMinutes * 60_000),
          severities: t.severities && t.severities.length > 0 ? new Set(t.severities.map((s) => s.toLowerCase())) : undefined,
        };
        const robots = t.notify.filter((n) => n.startsWith(ROBOT_PREFIX));
        const people = t.notify.filter((n) => !n.startsWith(ROBOT_PREFIX));
        return [
          ...(people.length ? [{ ...tier, id: `${route.name}#${i + 1}`, channel: 'sms' as const, notify: people }] : []),
          ...(robots.length ? [{ ...tier, id: `${route.name}#${i + 1}@chat`, channel: 'chat' as const, notify: robots }] : []),
        ];
      }),
    }));
  return {
    empty: compiled.length === 0,
    tiersFor(labels) {
      const out: EscalationTier[] = [];
      if (compiled.length === 0) return out;
      const severity = (Object.prototype.hasOwnProperty.call(labels, 'severity') ? String(labels.severity) : '').toLowerCase();
      for (const route of compiled) {
        if (!matches(route.matchers, labels)) continue;
        for (const { severities, ...tier } of route.tiers) if (!severities || severities.has(severity)) out.push(tier);
      }
      return out.sort((a, b) => a.afterMs - b.afterMs);
    },
  };
}
