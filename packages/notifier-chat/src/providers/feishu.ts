import { createHmac } from 'node:crypto';
import type { ChatProvider, ErrcodeEntry } from './provider';
import { utf8Bytes } from './provider';

// Custom bot: https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot (100 requests a
// minute and 5 a second per bot; request body at most 20 KB; signature check; error codes below).
// Card JSON: https://open.feishu.cn/document/common-capabilities/message-card/message-cards-content
const BOT_DOC = 'https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot';
const RATE_DOC = 'https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control';

/** Feishu (飞书) codes a custom bot answers, each with its doc page. */
export const FEISHU_ERRCODES: Readonly<Record<number, ErrcodeEntry>> = {
  9499: { kind: 'transient', meaning: 'too many requests (over 100 a minute or 5 a second)', doc: BOT_DOC, retryAfterMs: 1_000 },
  11232: { kind: 'transient', meaning: 'frequency limited under system pressure', doc: BOT_DOC, retryAfterMs: 5_000 },
  99991400: { kind: 'transient', meaning: 'request trigger frequency limit', doc: RATE_DOC, retryAfterMs: 1_000 },
  19021: { kind: 'config', meaning: 'sign match fail, or timestamp not within one hour of the current time', doc: BOT_DOC },
  19022: { kind: 'config', meaning: 'IP not allowed', doc: BOT_DOC },
  19024: { kind: 'config', meaning: 'keywords not found in the message', doc: BOT_DOC },
  19001: { kind: 'config', meaning: 'param invalid: incoming webhook access token invalid', doc: BOT_DOC },
};

/**
 * Feishu's signature (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, "签名校验"):
 * `timestamp + "\n" + secret` (timestamp in seconds, within an hour) is the HMAC-SHA256 KEY over
 * an empty message; base64; sent as the `timestamp` and `sign` fields of the body.
 */
export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** Card header templates for the mail's colours. */
const HEADER: Record<string, string> = { '#c62828': 'red', '#d84315': 'orange', '#b26a00': 'yellow', '#1565c0': 'blue', '#546e7a': 'grey', '#2e7d32': 'green' };

/** The card header template (and lark_md font colour) for one of the mail's colours. */
export function feishuColour(colour: string): string {
  return HEADER[colour] ?? 'grey';
}

/** Feishu custom bot: interactive card (coloured header, lark_md body, link buttons); signed in the body. */
export const feishu: ChatProvider = {
  type: 'feishu',
  // The documented cap is on the request body; the signature's two fields come on top.
  maxBytes: 20_000 - 128,
  measure: (body) => utf8Bytes(JSON.stringify(body)),
  mentionText: (m) => [...m.userIds.map((id) => `<at id=${id}></at>`), ...(m.all ? ['<at id=all></at>'] : [])].join(' '),
  body: (message) => ({
    msg_type: 'interactive',
    card: {
      config: { wide_screen_mode: true },
      header: { template: feishuColour(message.colour), title: { tag: 'plain_text', content: message.title } },
      elements: [
        { tag: 'div', text: { tag: 'lark_md', content: message.markdown } },
        ...(message.links.length
          ? [{ tag: 'action', actions: message.links.map((l) => ({ tag: 'button', type: 'default', text: { tag: 'plain_text', content: l.label }, url: l.href })) }]
          : []),
      ],
    },
  }),
  sign: (url, body, secret, nowMs) => {
    if (!secret) return { url, body };
    const ts = Math.floor(nowMs / 1000);
    return { url, body: { timestamp: String(ts), sign: feishuSign(secret, ts), ...body } };
  },
  answer: (json) => {
    // Current answers are {code, msg}; older ones {StatusCode, StatusMessage}.
    const j = json as { code?: unknown; msg?: unknown; StatusCode?: unknown; StatusMessage?: unknown } | null;
    if (!j) return undefined;
    if (typeof j.code === 'number') return { code: j.code, message: String(j.msg ?? '') };
    if (typeof j.StatusCode === 'number') return { code: j.StatusCode, message: String(j.StatusMessage ?? '') };
    return undefined;
  },
  errcodes: FEISHU_ERRCODES,
};
