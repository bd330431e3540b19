import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROVIDERS } from '../../src/providers/index';
import { createChatRenderer } from '../../src/render/chat-renderer';
import { chatViewOf } from '../../src/render/chat-view';
import { chatPayload } from '../support/harness';

const NO_MENTIONS = { userIds: [], mobiles: [], all: false };
const renderer = createChatRenderer();
const providers = Object.values(PROVIDERS);
const markdownOf = (body: Record<string, any>): string => body.markdown?.content ?? body.markdown?.text ?? body.card.elements[0].text.content;

describe('chat messages cut to the provider cap, in its unit (UTF-8 bytes)', () => {
  it.each(providers.map((p) => [p.type, p]))('%s: a 200-alert group with long summaries is one message under the cap that ends "…and N more alerts (see mail)"', (_type, provider) => {
    // ~600 bytes per alert line: the cap, not maxAlertsPerMessage, decides how many are listed.
    const payload = chatPayload(['r'], { n: 200, summary: '磁盘空间不足，'.repeat(25) });
    const r = renderer.render(provider, chatViewOf(payload), NO_MENTIONS, 50);
    expect(r.bytes).toBeLessThanOrEqual(provider.maxBytes);
    expect(r.bytes).toBe(provider.measure(r.body));
    const md = markdownOf(r.body);
    expect(r.shown).toBeGreaterThan(0);
    expect(r.shown).toBeLessThan(50);
    expect(r.more).toBe(200 - r.shown);
    expect(md).toContain(`…and ${200 - r.shown} more alerts (see mail)`);
    // Cut at an alert boundary: exactly `shown` whole alert lines, each with its instance.
    expect(md.split('\n').filter((l) => l.startsWith('- '))).toHaveLength(r.shown);
    expect(md).toContain(`db-${r.shown - 1}.example:9100`);
    expect(md).not.toContain(`db-${r.shown}.example:9100`);
    // One more line would not have fitted.
    const more = renderer.render(provider, chatViewOf(payload), NO_MENTIONS, r.shown + 1);
    expect(more.shown).toBe(r.shown);
  });

  it.each(providers.map((p) => [p.type, p]))('%s: a 1,000-alert group with huge group labels still renders under the cap', (_type, provider) => {
    const payload = chatPayload(['r'], { n: 1000 });
    payload.groupLabels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`label_${i}`, '值'.repeat(400)]));
    const r = renderer.render(provider, chatViewOf(payload), NO_MENTIONS, 20);
    expect(r.bytes).toBeLessThanOrEqual(provider.maxBytes);
    expect(r.more).toBe(1000 - r.shown);
  });

  it('lists status, severity, alert name, group labels, alerts with summary and instance, then the source and silence links, in the mail\'s colours', () => {
    const r = renderer.render(PROVIDERS.dingtalk, chatViewOf(chatPayload(['r'], { n: 3 })), NO_MENTIONS, 20);
    const md = markdownOf(r.body);
    const order = ['[FIRING:3]', 'DiskFull', 'severity', 'critical', 'cluster', 'prod-bj', 'disk /var almost full on db-0', 'db-0.example:9100', 'View in Alertmanager', 'Silence this group'].map((s) => md.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(md).toContain('<font color="#c62828">'); // COLOURS.critical, as in the mail
    expect(md).toContain('(http://alertmanager.example:9093/#/silences/new?filter=');
  });

  it.each(providers.map((p) => [p.type, p]))('%s: labels cannot inject links, images, mentions or markup', (_type, provider) => {
    const payload = chatPayload(['r'], {
      labels: { instance: '[click](http://evil.example) <@all> @13800000000 <at id=all></at> ![x](http://evil.example/i.png)' },
      summary: '**bold** `code` <font color="red">x</font>\n## heading',
    });
    payload.groupLabels = { alertname: 'A](http://evil.example)', team: '<@everyone>' };
    const md = markdownOf(renderer.render(provider, chatViewOf(payload), NO_MENTIONS, 20).body);
    expect(md).not.toMatch(/\]\(http:\/\/evil/);
    expect(md).not.toContain('http://evil');
    expect(md).not.toMatch(/<@(all|everyone)>/);
    expect(md).not.toContain('<at id=all>');
    expect(md).not.toMatch(/@1380/);
    expect(md).not.toContain('<font color="red">');
    expect(md).not.toContain('\n## heading');
    expect(md).toContain('［click］'); // still readable
  });

  it('mentions are written in each provider\'s own syntax', () => {
    const m = { userIds: ['zhangsan'], mobiles: ['+8613800000000'], all: false };
    const view = chatViewOf(chatPayload(['r']));
    expect(markdownOf(renderer.render(PROVIDERS.wecom, view, m, 20).body)).toContain('<@zhangsan>');
    const ding = renderer.render(PROVIDERS.dingtalk, view, m, 20).body as any;
    expect(ding.at).toEqual({ atMobiles: ['13800000000'], atUserIds: ['zhangsan'], isAtAll: false });
    expect(ding.markdown.text).toContain('@13800000000');
    expect(markdownOf(renderer.render(PROVIDERS.feishu, view, m, 20).body)).toContain('<at id=zhangsan></at>');
  });

  it('a template in chat.templatesDir overrides the built-in one of its provider only; a broken one stops the start', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-tpl-'));
    writeFileSync(path.join(dir, 'wecom.ejs'), 'OURS <%= it.title %> <%= it.alerts.length %>/<%= it.total %>');
    const custom = createChatRenderer({ templatesDir: dir });
    const view = chatViewOf(chatPayload(['r'], { n: 3, alertname: '[x](http://evil.example)' }));
    expect(markdownOf(custom.render(PROVIDERS.wecom, view, NO_MENTIONS, 20).body)).toBe('OURS ［x］(http:\u200b//evil.example) 3/3');
    expect(markdownOf(custom.render(PROVIDERS.dingtalk, view, NO_MENTIONS, 20).body)).toContain('### ');
    writeFileSync(path.join(dir, 'feishu.ejs'), '<% if (it.title { %>');
    expect(() => createChatRenderer({ templatesDir: dir })).toThrow(/TEMPLATE_INVALID|feishu\.ejs does not compile/);
  });
});
