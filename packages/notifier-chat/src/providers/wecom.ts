import type { ChatProvider, ErrcodeEntry } from './provider';
import { utf8Bytes } from './provider';

// Group robot: https://developer.work.weixin.qq.com/document/path/91770 (markdown content at most
// 4096 bytes, UTF-8; 20 messages a minute per robot). Global codes: https://developer.work.weixin.qq.com/document/path/90455
const ROBOT_DOC = 'https://developer.work.weixin.qq.com/document/path/91770';
const CODES_DOC = 'https://developer.work.weixin.qq.com/document/path/90455';
const MINUTE = 60_000;

/** WeCom (企业微信) errcodes a group robot answers, each with its doc page. */
export const WECOM_ERRCODES: Readonly<Record<number, ErrcodeEntry>> = {
  [-1]: { kind: 'transient', meaning: 'system busy', doc: CODES_DOC, retryAfterMs: 5_000 },
  45009: { kind: 'transient', meaning: 'API call frequency over the limit (20 messages a minute per robot)', doc: CODES_DOC, retryAfterMs: MINUTE },
  45033: { kind: 'transient', meaning: 'too many concurrent calls', doc: CODES_DOC, retryAfterMs: 5_000 },
  40058: { kind: 'permanent', meaning: 'invalid parameter (markdown content over 4096 bytes, or malformed)', doc: CODES_DOC },
  40008: { kind: 'permanent', meaning: 'invalid msgtype', doc: CODES_DOC },
  40035: { kind: 'permanent', meaning: 'invalid parameter', doc: CODES_DOC },
  44004: { kind: 'permanent', meaning: 'empty content', doc: CODES_DOC },
  93000: { kind: 'config', meaning: 'invalid webhook URL (key)', doc: ROBOT_DOC },
  93004: { kind: 'config', meaning: 'robot disabled', doc: ROBOT_DOC },
  93008: { kind: 'config', meaning: 'robot not in the group any more', doc: ROBOT_DOC },
  60020: { kind: 'config', meaning: 'not allowed to access from this IP (trusted IP list)', doc: CODES_DOC },
};

/** Names of the mail's colours in WeCom markdown, which has three: info (green), comment (grey), warning (orange-red). */
const FONT: Record<string, string> = { '#c62828': 'warning', '#d84315': 'warning', '#b26a00': 'warning', '#1565c0': 'comment', '#546e7a': 'comment', '#2e7d32': 'info' };

/** WeCom group robot: markdown message; no signature (the key in the URL is the credential). */
export const wecom: ChatProvider = {
  type: 'wecom',
  maxBytes: 4096,
  measure: (body) => utf8Bytes(String((body.markdown as { content?: string } | undefined)?.content ?? '')),
  mentionText: (m) => [...m.userIds.map((id) => `<@${id}>`), ...(m.all ? ['<@all>'] : [])].join(' '),
  body: (message) => ({ msgtype: 'markdown', markdown: { content: message.markdown } }),
  sign: (url, body) => ({ url, body }),
  answer: (json) => {
    const j = json as { errcode?: unknown; errmsg?: unknown } | null;
    return j && typeof j.errcode === 'number' ? { code: j.errcode, message: String(j.errmsg ?? '') } : undefined;
  },
  errcodes: WECOM_ERRCODES,
};

/** The WeCom font colour for one of the mail's colours. */
export function wecomFont(colour: string): string {
  return FONT[colour] ?? 'comment';
}
