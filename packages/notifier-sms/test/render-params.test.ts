import type { SmsTemplateConfig } from '@alertgw/shared';
import { buildGroupView } from '../src/group-view';
import { compileParams } from '../src/render-params';
import { smsPayload } from './support/harness';

const template = (params: SmsTemplateConfig['params']): SmsTemplateConfig => ({ templateId: '1', params });

describe('compileParams', () => {
  it('renders ejs and bare expressions over the documented view, without HTML escaping', () => {
    const { renderer, problems } = compileParams(
      template([
        { expr: "<%= status === 'firing' ? '触发' : '恢复' %>", maxLength: 2 },
        { expr: 'labels.instance', maxLength: 12 },
        { expr: '<%= alertname %> x<%= count %>', maxLength: 20 },
        { expr: 'summary', maxLength: 30 },
        { expr: 'groupLabels.alertname.toLowerCase()', maxLength: 12 },
        { expr: 'firing + "/" + resolved', maxLength: 5 },
        { expr: 'labels.nosuchlabel', maxLength: 5 },
      ]),
      'sms.templates.domestic',
    );
    expect(problems).toEqual([]);
    const view = buildGroupView(smsPayload(['+8613900000000'], { summary: 'a < b & "c"\n second line' }));
    expect(renderer.render(view)).toEqual({ params: ['触发', 'db-3', 'DiskFull x1', 'a < b & "c" second line', 'diskfull', '1/0', ''], errors: [] });
  });

  it('lists every expression that does not compile or names an unknown field', () => {
    const { problems } = compileParams(
      template([
        { expr: 'alertname', maxLength: 5 },
        { expr: 'alertnmae', maxLength: 5 },
        { expr: '<%= count( %>', maxLength: 5 },
      ]),
      'sms.templates.domestic',
    );
    expect(problems.map((p) => p.path)).toEqual(['sms.templates.domestic.params[1].expr', 'sms.templates.domestic.params[2].expr']);
    expect(problems[0].message).toContain('alertnmae is not defined');
  });

  it('renders "?" and reports the parameter when an expression throws on a real group', () => {
    const { renderer } = compileParams(template([{ expr: 'labels.team.toUpperCase()', maxLength: 5 }]), 'p');
    const out = renderer.render(buildGroupView(smsPayload(['+8613900000000'])));
    expect(out.params).toEqual(['?']);
    expect(out.errors[0].index).toBe(0);
  });
});
