import type { UserConfig } from '../config/types';

/** Where a user is reached on a channel; one line per channel, so a third channel is one more line. */
export const CHANNEL_ADDRESS: Readonly<Record<string, (user: UserConfig) => string | undefined>> = {
  email: (user) => user.email,
  sms: (user) => user.phone,
};

/**
 * Channels whose recipients are chat robots (`robot:<name>` targets) instead of users: a robot
 * is reached on these only, and a user never is (their owners are mentioned in the message).
 */
export const ROBOT_CHANNELS: ReadonlySet<string> = new Set(['chat']);
