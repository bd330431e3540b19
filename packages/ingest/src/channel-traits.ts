import type { GatewayConfig } from '@alertgw/shared';

/** What the planning of tasks needs to know of a channel beyond its `channels.<name>` options. */
export interface ChannelTraits {
  /**
   * The channel's notifications carry Cc: these configured addresses (from the channel's own
   * config section) plus the `cc` of the routes that matched. Absent: no Cc (SMS, chat robots).
   */
  cc?(config: Pick<GatewayConfig, 'email'>): string[];
}

const TRAITS: Readonly<Record<string, ChannelTraits>> = {
  email: { cc: (config) => config.email.cc },
};

/** The traits of a channel; a channel with none gets an empty description. */
export function channelTraits(channel: string): ChannelTraits {
  // Own keys only: a channel called "constructor" must not find Object.prototype's.
  return Object.hasOwn(TRAITS, channel) ? TRAITS[channel]! : {};
}
