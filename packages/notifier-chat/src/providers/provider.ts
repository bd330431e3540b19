import type { RobotType } from '@alertgw/shared';

/** How one provider errcode is handled, and where the provider documents it. */
export interface ErrcodeEntry {
  /** transient: retry with backoff; permanent: dead letter; config: dead letter and count as a configuration error (every message of this robot will fail). */
  kind: 'transient' | 'permanent' | 'config';
  meaning: string;
  /** The provider's page that lists the code. */
  doc: string;
  /** For transient codes: how long the provider says it throttles (the earliest sensible retry). */
  retryAfterMs?: number;
}

/** A rendered chat message before the provider wraps it. */
export interface ChatMessage {
  /** Plain one-line title (notification preview, card header). */
  title: string;
  /** The provider's markdown (WeCom, DingTalk) or lark_md (Feishu) body, escaped by its template. */
  markdown: string;
  /** Status/severity colour (one of the mail's COLOURS). */
  colour: string;
  /** Links shown as buttons where the format has them (Feishu card); the markdown has them inline. */
  links: Array<{ label: string; href: string }>;
}

/** Who a message @-mentions, already filtered to well-formed ids and numbers. */
export interface Mentions {
  userIds: string[];
  mobiles: string[];
  all: boolean;
}

/** A provider's answer, reduced to its code and message. */
export interface ProviderAnswer {
  code: number;
  message: string;
}

/** Everything notifier-chat knows about one robot provider: format, size cap, signing, errcodes. */
export interface ChatProvider {
  type: RobotType;
  /** The provider's size cap in UTF-8 bytes of what `measure` measures. */
  maxBytes: number;
  /** Bytes of the request as the provider counts them against maxBytes. */
  measure(body: Record<string, unknown>): number;
  /** How a mention is written inside the markdown (the message must name who it mentions). */
  mentionText(m: Mentions): string;
  /** The request body for a message. */
  body(message: ChatMessage, mentions: Mentions): Record<string, unknown>;
  /** The URL and body to post, signed with the robot's secret when it has one. */
  sign(webhookUrl: string, body: Record<string, unknown>, secret: string | undefined, nowMs: number): { url: string; body: Record<string, unknown> };
  /** Code and message of a parsed JSON answer (each provider names them differently). */
  answer(json: unknown): ProviderAnswer | undefined;
  /** Every errcode the provider documents that notifier-chat handles; unknown codes are permanent. */
  errcodes: Readonly<Record<number, ErrcodeEntry>>;
}

/** Bytes of a string in UTF-8, the unit every provider counts its caps in. */
export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
