import { isE164, type ChatOwner, type RobotConfig } from '@alertgw/shared';
import type { Mentions } from './providers/provider';

/** Provider user ids as the providers issue them (WeCom userid, DingTalk userId, Feishu open_id); anything else is not mentioned. */
const USER_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Who a robot's message @-mentions: the robot's own `mentions`, plus each owner of the group by
 * their user id at this robot's provider, else by phone. Ids and numbers that do not look like
 * one are left out, so a directory entry cannot smuggle markup into the message.
 */
export function mentionsFor(robot: RobotConfig, owners: ChatOwner[] | undefined): Mentions {
  const userIds = new Set((robot.mentions?.userIds ?? []).filter((id) => USER_ID.test(id)));
  const mobiles = new Set((robot.mentions?.mobiles ?? []).filter(isE164));
  for (const owner of owners ?? []) {
    const id = owner.chatIds?.[robot.type];
    if (id && USER_ID.test(id)) userIds.add(id);
    else if (owner.phone && isE164(owner.phone)) mobiles.add(owner.phone);
  }
  return { userIds: [...userIds], mobiles: [...mobiles], all: robot.mentions?.all === true };
}
