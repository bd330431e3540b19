import type { RobotType } from '@alertgw/shared';
import { dingtalk } from './dingtalk';
import { feishu } from './feishu';
import type { ChatProvider } from './provider';
import { wecom } from './wecom';

/** The providers by robot type. */
export const PROVIDERS: Readonly<Record<RobotType, ChatProvider>> = { wecom, dingtalk, feishu };
