import type { NotifyTarget } from './config/types';
import type { AlertStatus, LabelSet, WebhookAlert } from './webhook/types';

/** A person (or mailbox/phone) a notification goes to, with the rules that picked them. */
export interface Recipient {
  /** User name from the directory. */
  name: string;
  /** Email address for the email channel, E.164 phone number for the SMS channel, robot name for chat. */
  address: string;
  /** Why this recipient was chosen, e.g. "mandatory", "route:db-team", "label:owner". */
  rules: string[];
}

/**
 * What ingest writes into a channel's task: everything the notifier needs, so that a
 * notifier never reads routing config.
 */
export interface NotificationPayload {
  channel: string;
  receiver: string;
  groupKey: string;
  status: AlertStatus;
  /** Highest severity in the group (the task's priority). */
  severity: string;
  externalURL: string;
  groupLabels: LabelSet;
  commonLabels: LabelSet;
  commonAnnotations: LabelSet;
  truncatedAlerts: number;
  alerts: WebhookAlert[];
  recipients: Recipient[];
  /** Extra copy addresses (email only), from config. */
  cc?: string[];
  /**
   * Targets resolved when the notification is sent rather than when the webhook delivery was
   * accepted (an escalation tier, an on-call schedule): whoever they name at the moment of each
   * send attempt gets it, on top of `recipients`. `rule` says why (e.g. "escalation:db#1",
   * "schedule:dba-oncall").
   */
  sendTimeTargets?: Array<{ target: NotifyTarget; rule: string }>;
  /**
   * A check the channel's Worker makes right before each send attempt, atomically with acks and
   * resolves: the task is sent only while it holds, else it settles `suppressed`. Set on an
   * escalation tier's SMS (the alert must still fire with this firing, unacked, the tier not
   * cancelled); see handling/escalation-check.ts.
   */
  precondition?: TaskPrecondition;
  /**
   * Chat only: the people the notification concerns (the users resolved for the group on any
   * channel), so that a chat message can @-mention them in the robot's provider's own terms.
   */
  owners?: ChatOwner[];
  /** Idempotency key of the delivery that produced this task. */
  deliveryKey: string;
  /** ISO time ingest accepted the delivery. */
  receivedAt: string;
}

/** What must still hold when a task is sent: today one kind, an escalation tier of one firing of one alert. */
export interface TaskPrecondition {
  kind: 'escalation';
  fingerprint: string;
  /** startsAt of the firing the tier belongs to. */
  startsAt: string;
  /** The tier's id, `<route>#<n>`. */
  tier: string;
}

/** A person a chat message may @-mention: by provider user id where the directory has one, else by phone. */
export interface ChatOwner {
  name: string;
  phone?: string;
  /** Provider user ids (WeCom userid, DingTalk userId, Feishu open_id). */
  chatIds?: { wecom?: string; dingtalk?: string; feishu?: string };
}
