import { COLOURS } from './severity-colour';

/**
 * The look alert mail and ingest's ack page share: font stacks (CJK fallbacks included) as
 * inline CSS, and the status/severity colours. Inline, because mail clients drop style blocks.
 */
export const PAGE_STYLE = {
  font: "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,'PingFang SC','Microsoft YaHei',sans-serif;",
  mono: "font-family:SFMono-Regular,Menlo,Consolas,'Liberation Mono',monospace;",
  colours: COLOURS,
} as const;
