import type { GatewayConfig } from '../config/types';
import type { NotificationPayload } from '../notification';
import type { RedisClient } from '../queue/task-queue';
import { storeAckCode } from './ack-code-store';
import { storeAckGroup } from './ack-group-store';
import { AckTokenCodec, type AckSubject } from './ack-token';

/** Path segment under ingest.publicUrl where ingest serves ack links. */
export const ACK_PATH = 'ack';
// The stored group outlives the links that name it by a little: a link is never refused for a
// group that expired a moment before the link itself.
const GROUP_TTL_MARGIN_MS = 60_000;

/** What signing and serving ack links needs; undefined from ackLinkSettings when links are off. */
export interface AckLinkSettings {
  /** ingest.publicUrl without a trailing slash. */
  baseUrl: string;
  key: string;
  lifetimeMs: number;
  /** The deployment (redis.keyPrefix): links of another deployment are refused as foreign. */
  prefix: string;
}

/** The settings from config, or undefined when ingest.publicUrl is unset (no links anywhere). */
export function ackLinkSettings(config: GatewayConfig): AckLinkSettings | undefined {
  const { publicUrl, ackLinks } = config.ingest;
  if (!publicUrl || !ackLinks.key) return undefined;
  return { baseUrl: publicUrl.replace(/\/+$/, ''), key: ackLinks.key, lifetimeMs: ackLinks.lifetimeMs, prefix: config.redis.keyPrefix };
}

/** The path ingest serves links under: publicUrl's path + /ack (e.g. "/alertgw/ack"). */
export function ackLinkPath(settings: AckLinkSettings): string {
  return `${new URL(settings.baseUrl).pathname.replace(/\/+$/, '')}/${ACK_PATH}`;
}

/**
 * The ack links of one notification, for templates: signed per recipient (their name is who
 * acked in the timeline), each valid for the configured lifetime. Both return undefined when
 * there is nothing to ack (no firing alert, or not one of this notification's).
 */
export interface PayloadAckLinks {
  /** Acks one firing alert of the notification. */
  alert(fingerprint: string, recipient: string): string | undefined;
  /** Acks every firing alert of the notification (the alert's own link when there is one). */
  group(recipient: string): string | undefined;
}

/** Issues ack links; notifiers build one from config at startup (ackLinkIssuer). */
export interface AckLinkIssuer {
  /** Stores the notification's group (when it has several firing alerts) and returns its links. */
  forPayload(payload: NotificationPayload): Promise<PayloadAckLinks>;
  /** Stores a short code for a link this issuer made (for SMS templates): `<publicUrl>/ack/c/<code>` opens it. */
  shortCode(link: string): Promise<string>;
}

/**
 * The issuer for these settings, or undefined when links are off. A chat or other channel
 * calls `forPayload` once per send and hands the result to its templates.
 */
export function createAckLinkIssuer(settings: AckLinkSettings | undefined, redis: RedisClient, now: () => number = Date.now): AckLinkIssuer | undefined {
  if (!settings) return undefined;
  const codec = new AckTokenCodec(settings.key, settings.prefix);
  return {
    async forPayload(payload) {
      const firing = [...new Set(payload.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint))];
      const groupId = firing.length > 1 ? await storeAckGroup(redis, settings.prefix, firing, settings.lifetimeMs + GROUP_TTL_MARGIN_MS) : undefined;
      const expiresAtMs = now() + settings.lifetimeMs;
      const link = (subject: AckSubject, recipient: string) => `${settings.baseUrl}/${ACK_PATH}/${codec.sign({ subject, recipient, expiresAtMs })}`;
      return {
        alert: (fingerprint, recipient) => (firing.includes(fingerprint) ? link({ kind: 'alert', fingerprint }, recipient) : undefined),
        group(recipient) {
          if (groupId) return link({ kind: 'group', groupId }, recipient);
          return firing.length === 1 ? link({ kind: 'alert', fingerprint: firing[0]! }, recipient) : undefined;
        },
      };
    },
    async shortCode(link) {
      const prefix = `${settings.baseUrl}/${ACK_PATH}/`;
      if (!link.startsWith(prefix)) throw new RangeError('not a link of this issuer');
      return storeAckCode(redis, settings.prefix, link.slice(prefix.length), settings.lifetimeMs + GROUP_TTL_MARGIN_MS);
    },
  };
}
