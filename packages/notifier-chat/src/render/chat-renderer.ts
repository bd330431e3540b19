import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import { GatewayError, type RobotType } from '@alertgw/shared';
import { feishuColour } from '../providers/feishu';
import type { ChatMessage, ChatProvider, Mentions } from '../providers/provider';
import { wecomFont } from '../providers/wecom';
import type { ChatView } from './chat-view';
import { escapeChatText, markdownUrl } from './escape-markdown';

/** `it` in a chat template. Strings from alerts must go through `<%= %>` (escaped); the helpers return markup. */
export interface ChatTemplateInput extends Omit<ChatView, 'lines'> {
  /** The lines that fit (a prefix of the view's). */
  alerts: ChatView['lines'];
  /** Things not listed: "…and 187 more alerts (see mail)" when > 0. */
  more: number;
  moreText: string;
  /** The @-mentions in the provider's syntax (built from checked ids, not escaped again). */
  mentions: string;
  /** Coloured text in the provider's syntax; `text` must already be escaped. */
  font(colour: string, text: string): string;
  /** A checked http(s) link target, safe inside `(...)`. */
  url(href: string): string;
  esc(value: unknown): string;
}

/** A message rendered and cut to fit: its body as the provider wants it. */
export interface RenderedChat {
  message: ChatMessage;
  body: Record<string, unknown>;
  /** Size as the provider counts it, and its cap. */
  bytes: number;
  maxBytes: number;
  shown: number;
  more: number;
}

/** Renders chat messages with templates compiled once per provider. */
export interface ChatRenderer {
  render(provider: ChatProvider, view: ChatView, mentions: Mentions, maxLines: number): RenderedChat;
}

const FONT: Record<RobotType, (colour: string, text: string) => string> = {
  wecom: (c, t) => `<font color="${wecomFont(c)}">${t}</font>`,
  // DingTalk markdown takes a hex colour; the mail's are #rrggbb constants.
  dingtalk: (c, t) => `<font color="${/^#[0-9a-f]{6}$/i.test(c) ? c : '#546e7a'}">${t}</font>`,
  feishu: (c, t) => `<font color='${feishuColour(c)}'>${t}</font>`,
};

/** The folder of the built-in templates (`npm run build` copies them into dist/). */
export function defaultChatTemplatesDir(): string {
  return join(__dirname, '..', 'templates');
}

// eslint-disable-next-line no-control-regex
const plainLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();

function compileTemplate(dir: string, type: RobotType): (it: ChatTemplateInput) => string {
  const path = join(dir, `${type}.ejs`);
  try {
    const fn = ejs.compile(readFileSync(path, 'utf8'), { filename: path, strict: true, localsName: 'it', escape: escapeChatText, async: false });
    return (it) => fn(it);
  } catch (err) {
    throw new GatewayError('TEMPLATE_INVALID', `chat template ${path} does not compile: ${String((err as Error).message).split('\n')[0]}`, { cause: err, details: { template: path } });
  }
}

/** UTF-8-safe cut of a string to at most `bytes` bytes. */
function cutBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= bytes) return s;
  // Decoding a cut in the middle of a character yields U+FFFD; drop it.
  return buf.subarray(0, Math.max(0, bytes)).toString('utf8').replace(/\uFFFD+$/, '');
}

/**
 * Compiles the wecom / dingtalk / feishu templates (overrides from `templatesDir`, else the
 * built-in ones) and renders messages cut to the provider's size cap in its own unit: as many
 * alert lines as fit (at most `maxLines`), cut at a line boundary, the rest counted as
 * "…and N more alerts (see mail)". A group too large even for its header still goes out, as a
 * header cut to the cap: no group ever fails for its size.
 */
export function createChatRenderer(opts: { templatesDir?: string } = {}): ChatRenderer {
  const { templatesDir } = opts;
  if (templatesDir && !(existsSync(templatesDir) && statSync(templatesDir).isDirectory())) {
    throw new GatewayError('TEMPLATE_INVALID', `chat templatesDir ${templatesDir} is not a directory`, { details: { templatesDir } });
  }
  const templates = new Map<RobotType, (it: ChatTemplateInput) => string>();
  for (const type of ['wecom', 'dingtalk', 'feishu'] as const) {
    const dir = templatesDir && existsSync(join(templatesDir, `${type}.ejs`)) ? templatesDir : defaultChatTemplatesDir();
    templates.set(type, compileTemplate(dir, type));
  }

  function build(provider: ChatProvider, view: ChatView, mentions: Mentions, shown: number, groupLabels = view.groupLabels): RenderedChat {
    const more = Math.max(0, view.total - shown);
    const input: ChatTemplateInput = {
      ...view,
      groupLabels,
      alerts: view.lines.slice(0, shown),
      more,
      moreText: `…and ${more} more ${view.unit}${more === 1 ? '' : 's'} (see mail)`,
      mentions: provider.mentionText(mentions),
      font: FONT[provider.type],
      url: markdownUrl,
      esc: escapeChatText,
    };
    let markdown: string;
    try {
      markdown = templates.get(provider.type)!(input);
    } catch (err) {
      throw new GatewayError('TEMPLATE_INVALID', `chat template ${provider.type}.ejs failed to render: ${(err as Error).message}`, { cause: err });
    }
    const message: ChatMessage = { title: plainLine(`[${view.statusLabel}] ${view.title}`), markdown: markdown.trim(), colour: view.colour, links: view.links };
    const body = provider.body(message, mentions);
    return { message, body, bytes: provider.measure(body), maxBytes: provider.maxBytes, shown, more };
  }

  return {
    render(provider, view, mentions, maxLines) {
      let best = build(provider, view, mentions, 0);
      if (best.bytes <= provider.maxBytes) {
        // Largest number of lines that still fits: size grows with every line, so bisect.
        let lo = 0;
        let hi = Math.min(maxLines, view.lines.length);
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          const r = build(provider, view, mentions, mid);
          if (r.bytes <= provider.maxBytes) {
            lo = mid;
            best = r;
          } else hi = mid - 1;
        }
        return best;
      }
      // Not even the header fits (huge group labels): drop them and the links, then cut the text itself.
      best = build(provider, { ...view, links: [] }, mentions, 0, []);
      for (let i = 0; i < 8 && best.bytes > provider.maxBytes; i++) {
        const message = { ...best.message, markdown: cutBytes(best.message.markdown, Buffer.byteLength(best.message.markdown) - (best.bytes - provider.maxBytes) - 16) + '…' };
        const body = provider.body(message, mentions);
        best = { ...best, message, body, bytes: provider.measure(body) };
      }
      return best;
    },
  };
}
