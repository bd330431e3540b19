import ejs from 'ejs';
import type { SmsTemplateConfig } from '@alertgw/shared';
import { cutToLength } from './cut-text';
import type { GroupView } from './group-view';

/** Rendered TemplateParamSet, plus the parameters whose expression threw (rendered as "?"). */
export interface RenderedParams {
  params: string[];
  errors: Array<{ index: number; message: string }>;
}

/** Compiled parameter expressions of one template. */
export interface ParamRenderer {
  templateId: string;
  count: number;
  render(view: GroupView): RenderedParams;
}

/** Where a parameter expression of the config is wrong, for the startup error list. */
export interface ParamProblem {
  path: string;
  message: string;
}

/** Stand-in for a label set at startup: every label exists, so `labels.x.toUpperCase()` compiles and runs. */
const anyLabels = new Proxy({} as Record<string, string>, {
  get: (_t, key) => (typeof key === 'string' ? 'sample' : undefined),
  has: () => true,
});

/** A view with every documented field, used to try each expression once at startup. */
export const SAMPLE_VIEW: GroupView = {
  status: 'firing',
  alertname: 'SampleAlert',
  severity: 'critical',
  count: 2,
  summary: 'sample summary',
  labels: anyLabels,
  groupLabels: anyLabels,
  firing: 2,
  resolved: 0,
  digest: false,
  merged: 0,
  ackUrl: 'https://alerts.example.com/ack/AQBRYr1n8Q2aP3Xk7JdTqB0jYWxpY2VVtQ8w4tq9cM4F0HkzGx2a',
  ackToken: 'AQBRYr1n8Q2aP3Xk7JdTqB0jYWxpY2VVtQ8w4tq9cM4F0HkzGx2a',
  ackCode: 'x7Kp2QmZ9a',
};

/**
 * Compiles each parameter of `template` (an ejs template, or a bare expression such as
 * `labels.instance`, taken as `<%= labels.instance %>`) and tries it on SAMPLE_VIEW, so a
 * typo or an unknown name stops the process at startup instead of every SMS at 3 a.m.
 */
export function compileParams(template: SmsTemplateConfig, path: string): { renderer: ParamRenderer; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  const compiled = template.params.map((param, i) => {
    const source = param.expr.includes('<%') ? param.expr : `<%= ${param.expr} %>`;
    try {
      // SMS is plain text: no HTML escaping; null/undefined print as nothing.
      const fn = ejs.compile(source, { escape: (v: unknown) => (v == null ? '' : String(v)), async: false });
      fn(SAMPLE_VIEW);
      return fn;
    } catch (err) {
      problems.push({ path: `${path}.params[${i}].expr`, message: `does not render: ${ejsError(err)}` });
      return () => '';
    }
  });
  const renderer: ParamRenderer = {
    templateId: template.templateId,
    count: template.params.length,
    render(view) {
      const errors: RenderedParams['errors'] = [];
      const params = compiled.map((fn, i) => {
        let text: string;
        try {
          text = String(fn(view));
        } catch (err) {
          errors.push({ index: i, message: ejsError(err) });
          text = '?';
        }
        // One line: a template variable with CR/LF or tabs is rejected or garbled by carriers.
        return cutToLength(text.replace(/\s+/g, ' ').trim(), template.params[i].maxLength);
      });
      return { params, errors };
    },
  };
  return { renderer, problems };
}

/** The one useful line of an ejs error: runtime errors end with it, compile errors start with it. */
function ejsError(err: unknown): string {
  const lines = String((err as Error)?.message ?? err).split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return 'render failed';
  return /^(undefined|ejs):\d+/.test(lines[0]) ? lines[lines.length - 1] : lines[0];
}
