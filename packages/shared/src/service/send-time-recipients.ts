import type { UserConfig } from '../config/types';
import type { NotificationPayload, Recipient } from '../notification';
import { ROBOT_CHANNELS } from '../resolver/channel-address';
import { ROBOT_PREFIX } from '../resolver/directory';
import type { DirectoryAt } from './send-time-directory';

/** The user field a channel sends to; a channel not listed has no address in the directory's users. */
const ADDRESS_FIELD: Readonly<Record<string, 'email' | 'phone'>> = { email: 'email', sms: 'phone' };

/** What resolving a task's send-time targets found, as an `escalated` event records it. */
export interface SendTimeFacts {
  /** Names of the users the targets added (new addresses only). */
  recipients: string[];
  /** Targets the directory does not know (or groups nobody is in). */
  unknownTargets?: string[];
  /** Users named who have no address on this channel, under `noPhone` (SMS) or `noEmail`. */
  [noAddress: `no${string}`]: string[] | undefined;
}

/** A task's recipients with its send-time targets resolved, and what resolving them found. */
export interface ResolvedRecipients {
  recipients: Recipient[];
  facts: SendTimeFacts;
}

/**
 * Resolves `sendTimeTargets` against the directory in force at `at` into recipients of
 * `channel` (email → user.email, SMS → user.phone), added after the payload's own recipients
 * and deduplicated against them by address. Every target goes through Directory.expand(), so
 * whatever kinds of target it knows (users, groups, later on-call schedules at `at.atMs`) are
 * resolved here the same way.
 */
export function resolveSendTimeTargets(
  payload: Partial<Pick<NotificationPayload, 'recipients' | 'sendTimeTargets'>>,
  channel: string,
  at: Pick<DirectoryAt, 'directory' | 'atMs'>,
): ResolvedRecipients {
  const field = ADDRESS_FIELD[channel];
  const recipients = (payload.recipients ?? []).map((r) => ({ ...r }));
  const added: string[] = [];
  const unknown: string[] = [];
  const noAddress: string[] = [];
  for (const { target, rule } of payload.sendTimeTargets ?? []) {
    // The moment of the send is at.atMs (Redis' clock): a target that depends on time (an
    // on-call schedule) is expanded for it once Directory.expand takes one.
    const expansion = at.directory.expand(target, at.atMs);
    if (!expansion.ok) {
      unknown.push(target);
      continue;
    }
    // A robot target is a recipient of the robot channels (chat), addressed by its name.
    if (ROBOT_CHANNELS.has(channel)) {
      for (const robot of expansion.robots ?? []) addRecipient(recipients, added, { name: `${ROBOT_PREFIX}${robot.name}`, address: robot.name }, rule);
    }
    for (const user of expansion.users) {
      const address = addressOf(user, field);
      if (!address) {
        if (!noAddress.includes(user.name)) noAddress.push(user.name);
        continue;
      }
      addRecipient(recipients, added, { name: user.name, address }, rule);
    }
  }
  const facts: SendTimeFacts = { recipients: added };
  if (unknown.length) facts.unknownTargets = unknown;
  if (noAddress.length) facts[`no${capitalized(field ?? channel)}`] = noAddress;
  return { recipients, facts };
}

/** Adds `who` with `rule`, or the rule to the recipient already at that address. */
function addRecipient(recipients: Recipient[], added: string[], who: Omit<Recipient, 'rules'>, rule: string): void {
  const known = recipients.find((r) => r.address === who.address);
  if (known) {
    if (!known.rules.includes(rule)) known.rules = [...known.rules, rule];
    return;
  }
  recipients.push({ ...who, rules: [rule] });
  added.push(who.name);
}

function addressOf(user: UserConfig, field: 'email' | 'phone' | undefined): string {
  return field ? (user[field]?.trim() ?? '') : '';
}

function capitalized(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
