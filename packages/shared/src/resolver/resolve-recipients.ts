import type { GatewayConfig, NotifyTarget, RobotConfig, UserConfig } from '../config/types';
import { GatewayError } from '../errors';
import type { Recipient } from '../notification';
import type { WebhookAlert } from '../webhook/types';
import { CHANNEL_ADDRESS, ROBOT_CHANNELS } from './channel-address';
import { createDirectory, ROBOT_PREFIX } from './directory';
import type { OnCallPath } from '../schedule/on-call';
import { matches, type Matcher } from './matcher';
import { parseMatchers } from './parse-matchers';

/** A name that should have picked someone but is not in the directory (never silently dropped). */
export interface UnknownUser {
  name: string;
  /** The rule that named it: "mandatory", "route:<name>", "label:<ownerLabel>". */
  rule: string;
  /** Alerts that carried the name (for a route or mandatory: the alerts it applied to). */
  fingerprints: string[];
}

/** A user picked for a channel on which the directory has no address for them. */
export interface Unreachable {
  user: string;
  channel: string;
  /** The first rule that picked them. */
  rule: string;
}

/** A schedule a rule named, and whom it named at the time resolved (route → schedule → layer → user). */
export interface ScheduleHit {
  /** The rule that named the schedule ("mandatory", "route:db-team"). */
  rule: string;
  schedule: string;
  /** Users on call then (group members expanded). */
  users: string[];
  path: OnCallPath;
}

/** A target resolved when each notification is sent (NotificationPayload.sendTimeTargets). */
export interface SendTimeTarget {
  target: NotifyTarget;
  rule: string;
}

/** Who gets one alert group, per channel, and what could not be resolved. */
export interface Resolution {
  /**
   * One entry per channel given to createResolver, possibly empty; each address appears once.
   * Fixed when the delivery is accepted: users, groups, owner label.
   */
  byChannel: Record<string, Recipient[]>;
  /**
   * Per channel, the schedule targets to resolve again at each send (who is on call then);
   * empty lists when no rule named a schedule for that channel.
   */
  sendTimeTargets: Record<string, SendTimeTarget[]>;
  /**
   * Per channel, whom those schedules name at the time resolved (rules "route:x → schedule:y"):
   * tells whether a channel has anybody at all, and what `route test` shows.
   */
  scheduled: Record<string, Recipient[]>;
  onCall: ScheduleHit[];
  /** Email Cc from the matched routes that cover the email channel, minus the email recipients. */
  cc: string[];
  unknownUsers: UnknownUser[];
  unreachable: Unreachable[];
  /** Every user some rule picked, on any channel, once each in pick order: whom a chat message mentions. */
  people: UserConfig[];
}

/** Turns an alert group into recipients; built once per config. */
export interface Resolver {
  /** `atMs` is when schedules are asked who is on (default: now). */
  resolve(alerts: readonly WebhookAlert[], atMs?: number): Resolution;
}

/** Owner label values beyond this many names are ignored, so one label cannot page everyone. */
const MAX_OWNER_NAMES = 20;
const MAX_REPORTED_NAME = 64;

interface CompiledRoute {
  rule: string;
  matchers: Matcher[];
  notify: NotifyTarget[];
  channels?: ReadonlySet<string>;
  cc: string[];
}

/**
 * Builds the resolver, parsing every route's matchers once. Recipients come from: the mandatory
 * list (every channel), then EVERY matching route in config order (no first-match-wins: a route
 * adds people, it never hides another route's), limited to the route's `channels` if set, then
 * the owner label (every channel; its value names users, separated by commas or spaces). A route
 * matches a group when it matches any of its alerts. Each channel lists an address once, with
 * every rule that picked it. A "schedule:<name>" target goes to `sendTimeTargets` (resolved at
 * each send) and, as who is on at `atMs`, to `scheduled`. A "robot:<name>" target adds the robot on
 * the robot channels (chat) only, and users are never recipients there. Throws GatewayError('CONFIG_INVALID')
 * on a bad matcher or a channel with no address field.
 */
export function createResolver(
  cfg: Pick<GatewayConfig, 'users' | 'mandatory' | 'ownerLabel' | 'routes'> & { schedules?: GatewayConfig['schedules']; robots?: readonly RobotConfig[] },
  channels: string[],
): Resolver {
  for (const channel of channels) {
    if (!CHANNEL_ADDRESS[channel] && !ROBOT_CHANNELS.has(channel)) {
      throw new GatewayError('CONFIG_INVALID', `channel "${channel}" has no user address field (see resolver/channel-address.ts)`);
    }
  }
  const directory = createDirectory(cfg.users ?? [], cfg.schedules ?? [], cfg.robots ?? []);
  const mandatory = cfg.mandatory ?? [];
  const ownerLabel = (cfg.ownerLabel ?? '').trim();
  const ownerRule = `label:${ownerLabel}`;
  const routes: CompiledRoute[] = (cfg.routes ?? []).map((route, i) => ({
    rule: `route:${route.name}`,
    matchers: (route.matchers ?? []).flatMap((input, j) => parseAt(input, `routes[${i}].matchers[${j}]`)),
    notify: route.notify ?? [],
    channels: route.channels ? new Set(route.channels) : undefined,
    cc: route.cc ?? [],
  }));

  return {
    resolve(alerts, atMs) {
      const out = new ResolutionBuilder(channels);
      const allFingerprints = alerts.map((a) => a.fingerprint);
      const now = atMs ?? Date.now();
      const addTarget = (target: NotifyTarget, rule: string, fingerprints: string[], only?: ReadonlySet<string>): void => {
        const expansion = directory.expand(target, now);
        if (!expansion.ok) out.unknown(target, rule, fingerprints);
        else if (expansion.onCall) {
          // Who is on call is decided again when each notification is sent; now only tells
          // whether the channel has anybody, and what `route test` shows.
          out.sendTime({ target, rule }, only);
          out.onCall.push({ rule, schedule: expansion.onCall.schedule, users: expansion.users.map((u) => u.name), path: expansion.onCall.path });
          for (const user of expansion.users) out.add(user, `${rule} → ${target}`, only, 'scheduled');
        } else {
          for (const user of expansion.users) out.add(user, rule, only);
          for (const robot of expansion.robots ?? []) out.addRobot(robot, rule, only);
        }
      };

      for (const target of mandatory) addTarget(target, 'mandatory', allFingerprints);
      for (const route of routes) {
        const hit = alerts.filter((a) => matches(route.matchers, a.labels ?? {}));
        if (hit.length === 0) continue;
        const fingerprints = hit.map((a) => a.fingerprint);
        for (const target of route.notify) addTarget(target, route.rule, fingerprints, route.channels);
        if (!route.channels || route.channels.has('email')) out.addCc(route.cc);
      }
      if (ownerLabel !== '') {
        for (const alert of alerts) {
          for (const name of ownerNames(alert, ownerLabel)) {
            const user = directory.user(name);
            if (user) out.add(user, ownerRule);
            else out.unknown(name.slice(0, MAX_REPORTED_NAME), ownerRule, [alert.fingerprint]);
          }
        }
      }
      return out.build();
    },
  };
}

function parseAt(input: string, path: string): Matcher[] {
  try {
    return parseMatchers(input);
  } catch (err) {
    throw new GatewayError('CONFIG_INVALID', `${path}: ${(err as Error).message}`, { cause: err, details: { path } });
  }
}

function ownerNames(alert: WebhookAlert, label: string): string[] {
  const labels = alert.labels ?? {};
  if (!Object.prototype.hasOwnProperty.call(labels, label)) return [];
  const names = String(labels[label]).split(/[\s,;]+/u).filter((n) => n !== '');
  return [...new Set(names)].slice(0, MAX_OWNER_NAMES);
}

/** Accumulates recipients per channel in pick order, merging the rules of a repeated address. */
class ResolutionBuilder {
  private readonly byChannel: Record<string, Recipient[]> = {};
  private readonly scheduled: Record<string, Recipient[]> = {};
  private readonly sendTimeTargets: Record<string, SendTimeTarget[]> = {};
  readonly onCall: ScheduleHit[] = [];
  /** Per list and channel, recipients by lower-cased address: nested maps, so no key string is built per pick. */
  private readonly index: Record<'byChannel' | 'scheduled', Record<string, Map<string, Recipient>>> = { byChannel: {}, scheduled: {} };
  private readonly unknownUsers: UnknownUser[] = [];
  private readonly unknownIndex = new Map<string, UnknownUser>();
  private readonly unreachable: Unreachable[] = [];
  private readonly unreachableSeen = new Set<string>();
  private readonly cc: string[] = [];
  private readonly people = new Map<string, UserConfig>();

  constructor(private readonly channels: string[]) {
    for (const channel of channels) {
      this.byChannel[channel] = [];
      this.scheduled[channel] = [];
      this.sendTimeTargets[channel] = [];
      this.index.byChannel[channel] = new Map();
      this.index.scheduled[channel] = new Map();
    }
  }

  sendTime(target: SendTimeTarget, only?: ReadonlySet<string>): void {
    for (const channel of this.channels) {
      if (only && !only.has(channel)) continue;
      const list = this.sendTimeTargets[channel]!;
      if (!list.some((t) => t.target === target.target && t.rule === target.rule)) list.push({ ...target });
    }
  }

  add(user: UserConfig, rule: string, only?: ReadonlySet<string>, into: 'byChannel' | 'scheduled' = 'byChannel'): void {
    if (!this.people.has(user.name)) this.people.set(user.name, user);
    for (const channel of this.channels) {
      if (only && !only.has(channel)) continue;
      if (ROBOT_CHANNELS.has(channel)) continue;
      const address = CHANNEL_ADDRESS[channel]!(user)?.trim();
      if (!address) {
        const key = `${channel}\0${user.name}`;
        if (!this.unreachableSeen.has(key)) {
          this.unreachableSeen.add(key);
          this.unreachable.push({ user: user.name, channel, rule });
        }
        continue;
      }
      // Keyed by address, not name: two users sharing a mailbox must not get two copies, and the
      // worker records results per address.
      this.pick(into, channel, address.toLowerCase(), { name: user.name, address }, rule);
    }
  }

  /** A robot is a recipient on the robot channels only, addressed by its name. */
  addRobot(robot: RobotConfig, rule: string, only?: ReadonlySet<string>): void {
    for (const channel of this.channels) {
      if ((only && !only.has(channel)) || !ROBOT_CHANNELS.has(channel)) continue;
      this.pick('byChannel', channel, `${ROBOT_PREFIX}${robot.name}`, { name: `${ROBOT_PREFIX}${robot.name}`, address: robot.name }, rule);
    }
  }

  /** Adds the recipient under `key` (unique within that list and channel), or the rule to the one already there. */
  private pick(into: 'byChannel' | 'scheduled', channel: string, key: string, who: Omit<Recipient, 'rules'>, rule: string): void {
    const index = this.index[into][channel]!;
    const existing = index.get(key);
    if (existing) {
      if (!existing.rules.includes(rule)) existing.rules.push(rule);
      return;
    }
    const recipient: Recipient = { name: who.name, address: who.address, rules: [rule] };
    index.set(key, recipient);
    this[into][channel]!.push(recipient);
  }

  unknown(name: string, rule: string, fingerprints: string[]): void {
    const key = `${rule}\0${name}`;
    const entry = this.unknownIndex.get(key);
    if (!entry) {
      const created = { name, rule, fingerprints: [...new Set(fingerprints)] };
      this.unknownIndex.set(key, created);
      this.unknownUsers.push(created);
      return;
    }
    for (const fp of fingerprints) if (!entry.fingerprints.includes(fp)) entry.fingerprints.push(fp);
  }

  addCc(addresses: string[]): void {
    for (const raw of addresses) {
      const address = raw.trim();
      if (address !== '' && !this.cc.some((c) => c.toLowerCase() === address.toLowerCase())) this.cc.push(address);
    }
  }

  build(): Resolution {
    const email = this.byChannel.email;
    const to = new Set((email ?? []).map((r) => r.address.toLowerCase()));
    return {
      byChannel: this.byChannel,
      sendTimeTargets: this.sendTimeTargets,
      scheduled: this.scheduled,
      onCall: this.onCall,
      cc: email ? this.cc.filter((c) => !to.has(c.toLowerCase())) : [],
      unknownUsers: this.unknownUsers,
      unreachable: this.unreachable,
      people: [...this.people.values()],
    };
  }
}
