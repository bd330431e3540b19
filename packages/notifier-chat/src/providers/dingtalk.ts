import { createHmac } from 'node:crypto';
import type { ChatProvider, ErrcodeEntry } from './provider';
import { utf8Bytes } from './provider';

// Custom robot: https://open.dingtalk.com/document/orgapp/custom-robot-access (20 messages a
// minute per robot, then throttled for 10 minutes; signing "加签"). Message types and the 20 KB
// body: https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type. Codes of the
// robot send API: https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type#title-7sj-v9q-9a4
const ACCESS_DOC = 'https://open.dingtalk.com/document/orgapp/custom-robot-access';
const CODES_DOC = 'https://open.dingtalk.com/document/orgapp/custom-bot-send-message-type';
const GLOBAL_DOC = 'https://open.dingtalk.com/document/orgapp/server-api-error-codes-1';
const THROTTLED_MS = 10 * 60_000;

/** DingTalk (钉钉) errcodes a custom robot answers, each with its doc page. */
export const DINGTALK_ERRCODES: Readonly<Record<number, ErrcodeEntry>> = {
  [-1]: { kind: 'transient', meaning: 'system busy', doc: GLOBAL_DOC, retryAfterMs: 5_000 },
  130101: { kind: 'transient', meaning: 'sending too fast: over 20 messages a minute, throttled for 10 minutes', doc: ACCESS_DOC, retryAfterMs: THROTTLED_MS },
  410100: { kind: 'transient', meaning: 'sending too fast, throttled', doc: CODES_DOC, retryAfterMs: THROTTLED_MS },
  310000: { kind: 'config', meaning: 'security settings not met: keyword missing, sign not match, or IP not allowed', doc: ACCESS_DOC },
  300001: { kind: 'config', meaning: 'access_token does not exist', doc: CODES_DOC },
  400101: { kind: 'config', meaning: 'access_token does not exist', doc: CODES_DOC },
  400102: { kind: 'config', meaning: 'robot stopped', doc: CODES_DOC },
  400106: { kind: 'config', meaning: 'robot does not exist', doc: CODES_DOC },
  400105: { kind: 'permanent', meaning: 'unsupported msgtype', doc: CODES_DOC },
  40035: { kind: 'permanent', meaning: 'missing parameter (json)', doc: GLOBAL_DOC },
  430101: { kind: 'permanent', meaning: 'content contains an unsafe external link', doc: CODES_DOC },
  430102: { kind: 'permanent', meaning: 'content contains inappropriate text', doc: CODES_DOC },
  430103: { kind: 'permanent', meaning: 'content contains an inappropriate picture', doc: CODES_DOC },
  430104: { kind: 'permanent', meaning: 'content contains inappropriate content', doc: CODES_DOC },
  460101: { kind: 'permanent', meaning: 'message too large (body over 20000 bytes)', doc: CODES_DOC },
};

/**
 * DingTalk's signature (https://open.dingtalk.com/document/orgapp/customize-robot-security-settings):
 * HMAC-SHA256 keyed with the secret over `timestamp + "\n" + secret` (timestamp in ms, within an
 * hour of DingTalk's clock), base64, URL-encoded, appended as `&timestamp=…&sign=…`.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** Mainland numbers without +86, as DingTalk's atMobiles wants them; others keep their country code without "+". */
function dingtalkMobile(e164: string): string {
  return e164.startsWith('+86') ? e164.slice(3) : e164.replace(/^\+/, '');
}

/** DingTalk custom robot: markdown message with `at`; signed in the URL. */
export const dingtalk: ChatProvider = {
  type: 'dingtalk',
  maxBytes: 20_000,
  measure: (body) => utf8Bytes(JSON.stringify(body)),
  // DingTalk highlights a mention only when the text names it: "@13800000000", "@userId".
  mentionText: (m) => [...m.mobiles.map((p) => `@${dingtalkMobile(p)}`), ...m.userIds.map((id) => `@${id}`)].join(' '),
  body: (message, m) => ({
    msgtype: 'markdown',
    markdown: { title: message.title, text: message.markdown },
    at: { atMobiles: m.mobiles.map(dingtalkMobile), atUserIds: m.userIds, isAtAll: m.all },
  }),
  sign: (url, body, secret, nowMs) => {
    if (!secret) return { url, body };
    const sep = url.includes('?') ? '&' : '?';
    return { url: `${url}${sep}timestamp=${nowMs}&sign=${encodeURIComponent(dingtalkSign(secret, nowMs))}`, body };
  },
  answer: (json) => {
    const j = json as { errcode?: unknown; errmsg?: unknown } | null;
    return j && typeof j.errcode === 'number' ? { code: j.errcode, message: String(j.errmsg ?? '') } : undefined;
  },
  errcodes: DINGTALK_ERRCODES,
};
