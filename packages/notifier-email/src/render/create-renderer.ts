import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import { buildAlertGroupView as buildMailView, GatewayError, type AlertGroupView as MailView, type GroupAckLinks, type NotificationPayload } from '@alertgw/shared';
import { escapeHtml } from './escape-html';
import { SAMPLE_ACK, SAMPLE_PAYLOAD } from './sample-payload';
import { cleanSubject, defaultSubject } from './subject';

/** Subject, HTML part and text part of one mail. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** Renders a task payload with templates compiled once. */
export interface MailRenderer {
  /** With `ack`, the mail carries ack links signed for that recipient. */
  render(payload: NotificationPayload, ack?: GroupAckLinks): RenderedMail;
}

/** Where the templates come from; everything optional falls back to the built-in ones. */
export interface RendererOptions {
  /** Directory whose html.ejs / text.ejs / subject.ejs override the defaults (each optional). */
  templatesDir?: string;
  /** ejs source for the subject; wins over templatesDir/subject.ejs. */
  subjectTemplate?: string;
}

type Compiled = (view: MailView) => string;

// In text/plain and in a header HTML escaping would show "&lt;" to the reader; what must go
// there is control characters (header injection, terminal tricks), so those are dropped.
// eslint-disable-next-line no-control-regex
const escapeText = (value: unknown): string => String(value ?? '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
// eslint-disable-next-line no-control-regex
const escapeHeader = (value: unknown): string => String(value ?? '').replace(/[\u0000-\u001f\u007f]/g, ' ');

/** The folder of the built-in templates, next to this file (`npm run build` copies them into dist/). */
export function defaultTemplatesDir(): string {
  return join(__dirname, 'templates');
}

function compile(source: string, filename: string, escape: (v: unknown) => string): Compiled {
  try {
    // strict: no `with`, so a typo in a template is a ReferenceError, not a silent "undefined".
    const fn = ejs.compile(source, { filename, strict: true, localsName: 'it', escape, async: false });
    return (view) => fn(view);
  } catch (err) {
    // ejs appends a multi-line hint (EJS-Lint, async) to its message; the first line is the error.
    const reason = String((err as Error).message).split('\n')[0];
    throw new GatewayError('TEMPLATE_INVALID', `template ${filename} does not compile: ${reason}`, {
      cause: err,
      details: { template: filename },
    });
  }
}

function run(template: Compiled, view: MailView, name: string): string {
  try {
    return template(view);
  } catch (err) {
    throw new GatewayError('TEMPLATE_INVALID', `template ${name} failed to render: ${(err as Error).message}`, {
      cause: err,
      details: { template: name },
    });
  }
}

function readOverride(dir: string | undefined, file: string): { source: string; path: string } | undefined {
  if (!dir) return undefined;
  const path = join(dir, file);
  return existsSync(path) ? { source: readFileSync(path, 'utf8'), path } : undefined;
}

/**
 * Compiles the HTML, text and subject templates once (overrides from `templatesDir`, else the
 * built-in ones) and renders a sample group with them, so a broken template throws
 * GatewayError TEMPLATE_INVALID here, at startup.
 */
export function createRenderer(options: RendererOptions = {}): MailRenderer {
  const { templatesDir } = options;
  if (templatesDir && !(existsSync(templatesDir) && statSync(templatesDir).isDirectory())) {
    throw new GatewayError('TEMPLATE_INVALID', `email templatesDir ${templatesDir} is not a directory`, {
      details: { templatesDir },
    });
  }
  const builtIn = defaultTemplatesDir();
  const pick = (file: string) =>
    readOverride(templatesDir, file) ?? { source: readFileSync(join(builtIn, file), 'utf8'), path: join(builtIn, file) };

  const html = pick('html.ejs');
  const text = pick('text.ejs');
  const htmlFn = compile(html.source, html.path, escapeHtml);
  const textFn = compile(text.source, text.path, escapeText);
  const subjectSource =
    options.subjectTemplate !== undefined && options.subjectTemplate !== ''
      ? { source: options.subjectTemplate, path: 'email.subjectTemplate' }
      : readOverride(templatesDir, 'subject.ejs');
  const subjectFn = subjectSource ? compile(subjectSource.source, subjectSource.path, escapeHeader) : undefined;

  const renderer: MailRenderer = {
    render(payload, ack) {
      const fallback = defaultSubject(payload);
      const subject = subjectFn
        ? cleanSubject(run(subjectFn, buildMailView(payload, fallback), subjectSource!.path)) || fallback
        : fallback;
      const view = buildMailView(payload, subject, ack);
      return { subject, html: run(htmlFn, view, html.path), text: run(textFn, view, text.path) };
    },
  };
  renderer.render(SAMPLE_PAYLOAD);
  renderer.render(SAMPLE_PAYLOAD, SAMPLE_ACK);
  return renderer;
}
