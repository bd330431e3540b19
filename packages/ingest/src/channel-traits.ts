import type { ChatOwner, GatewayConfig, UserConfig } from '@alertgw/shared';

/** What the planning of tasks needs to know of a channel beyond its `channels.<name>` options. */
export interface ChannelTraits {
  /**
   * The channel's notifications carry Cc: these configured addresses (from the channel's own
   * config section) plus the `cc` of the routes that matched. Absent: no Cc (SMS, chat robots).
   */
  cc?(config: Pick<GatewayConfig, 'email'>): string[];
  /**
   * The channel's notifications carry the people concerned (every user the rules picked, on
   * any channel), in the form its messages mention them. Absent: no owners (email, SMS).
   */
  owners?(people: readonly UserConfig[]): ChatOwner[];
}

const TRAITS: Readonly<Record<string, ChannelTraits>> = {
  email: { cc: (config) => config.email.cc },
  chat: { owners: (people) => people.map(chatOwner) },
};

/** The traits of a channel; a channel with none gets an empty description. */
export function channelTraits(channel: string): ChannelTraits {
  // Own keys only: a channel called "constructor" must not find Object.prototype's.
  return Object.hasOwn(TRAITS, channel) ? TRAITS[channel]! : {};
}

/** A user as a chat message may @-mention them: provider ids where the directory has them, else the phone. */
function chatOwner(user: UserConfig): ChatOwner {
  return {
    name: user.name,
    ...(user.phone ? { phone: user.phone } : {}),
    ...(user.chatIds && Object.keys(user.chatIds).length > 0 ? { chatIds: { ...user.chatIds } } : {}),
  };
}
