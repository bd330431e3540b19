import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '@alertgw/shared';
import { createRenderer } from '../../src/render/create-renderer';
import { SAMPLE_ACK } from '../../src/render/sample-payload';
import { fixtureNames, payloadFromFixture } from '../support/fixtures';

describe('createRenderer (built-in templates)', () => {
  const renderer = createRenderer();

  it('escapes HTML from the webhook in the HTML part and keeps it readable in the text part', () => {
    const { html, text } = renderer.render(payloadFromFixture('mixed-resolved-and-firing.json'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // text/plain is never interpreted as markup: the reader sees what the rule author wrote.
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('renders firing and resolved alerts in separate sections, summary and description first', () => {
    const { html, text } = renderer.render(payloadFromFixture('mixed-resolved-and-firing.json'));
    const firingAt = html.indexOf('Firing &middot; 1');
    const resolvedAt = html.indexOf('Resolved &middot; 1');
    expect(firingAt).toBeGreaterThan(0);
    expect(resolvedAt).toBeGreaterThan(firingAt);
    // The preheader (inbox preview line) comes first; look for the cards after the headings.
    expect(html.indexOf('CPU high', firingAt)).toBeGreaterThan(firingAt);
    expect(html.indexOf('CPU high', firingAt)).toBeLessThan(resolvedAt);
    expect(html.indexOf('CPU 使用率超过 95%', firingAt)).toBeGreaterThan(resolvedAt);
    expect(text.indexOf('== FIRING (1) ==')).toBeLessThan(text.indexOf('== RESOLVED (1) =='));
  });

  it('links generatorURL, runbook_url and an Alertmanager silence built from externalURL', () => {
    const mixed = renderer.render(payloadFromFixture('mixed-resolved-and-firing.json')).html;
    expect(mixed).toContain('href="http://prometheus.local:9090/graph?g0.expr=cpu%3E0.95"');
    const filter = encodeURIComponent('{alertname="HighCPU",cluster="prod-bj"}');
    expect(mixed).toContain(`href="http://vm:9093/#/silences/new?filter=${filter}"`);
    const db = renderer.render(payloadFromFixture('firing-truncated-basic-auth.json'));
    expect(db.html).toContain('href="https://wiki.example.com/runbooks/mysql-lag"');
    expect(db.html).toContain('Alertmanager left out 1 more alert');
    // generatorURL is empty in this fixture: no Source link.
    expect(db.html).not.toContain('>Source<');
  });

  it('never turns a non-http(s) annotation into a link', () => {
    const p = payloadFromFixture('firing-one-alert-bearer.json');
    p.alerts[0].annotations.runbook_url = 'javascript:alert(document.cookie)';
    p.alerts[0].generatorURL = 'data:text/html,x';
    p.externalURL = 'javascript:alert(1)';
    const { html } = renderer.render(p);
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(html).not.toContain('/#/silences/new');
    // Still shown, as text.
    expect(html).toContain('javascript:alert(document.cookie)');
  });

  it('uses a colour per severity', () => {
    const critical = renderer.render(payloadFromFixture('firing-truncated-basic-auth.json')).html;
    const info = renderer.render(payloadFromFixture('firing-one-alert-bearer.json')).html;
    expect(critical).toContain('background-color:#c62828');
    expect(info).toContain('background-color:#1565c0');
    expect(info).not.toContain('background-color:#c62828');
  });

  it('renders every fixture', () => {
    for (const name of fixtureNames()) {
      const out = renderer.render(payloadFromFixture(name));
      expect(out.subject).toMatch(/^\[(FIRING:\d+|RESOLVED)\]/);
      expect(out.html).toContain('</html>');
      expect(out.text.length).toBeGreaterThan(50);
    }
  });

  it('caps a storm of alerts and says how many were left out', () => {
    const p = payloadFromFixture('firing-one-alert-bearer.json');
    p.alerts = Array.from({ length: 120 }, (_, i) => ({ ...p.alerts[0], fingerprint: String(i), labels: { ...p.alerts[0].labels, instance: `host-${i}` } }));
    const { html, text } = renderer.render(p);
    expect(html).toContain('host-49');
    expect(html).not.toContain('host-50<');
    expect(html).toContain('and 70 more firing alerts not shown');
    expect(text).toContain('and 70 more alerts not shown');
  });

  it('writes only ASCII of its own (entities for · and …), so an ASCII group can go out unencoded', () => {
    const p = payloadFromFixture('firing-one-alert-bearer.json');
    p.alerts = Array.from({ length: 60 }, (_, i) => ({ ...p.alerts[0], fingerprint: String(i), labels: { ...p.alerts[0].labels, instance: `host-${i}` } }));
    p.alerts[0].annotations = { summary: 'Disk full', runbook_url: 'https://wiki.example.com/disk' };
    p.groupLabels = { alertname: 'DiskWillFillIn4h', cluster: 'prod-bj' };
    const { html } = renderer.render(p, SAMPLE_ACK);
    expect(html).toContain('&hellip; and 10 more firing alerts not shown');
    expect(html).toContain(' &middot; ');
    expect(html).toMatch(/^[\t\n\x20-\x7e]*$/);
  });
});

describe('createRenderer (overrides)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'alertgw-tpl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses html.ejs, text.ejs and subject.ejs from templatesDir, escaping with the same rules', () => {
    writeFileSync(join(dir, 'html.ejs'), '<p><%= it.payload.alerts[0].annotations.description %></p>');
    writeFileSync(join(dir, 'text.ejs'), 'custom <%= it.firingCount %>');
    writeFileSync(join(dir, 'subject.ejs'), 'ALERT <%= it.title %>\r\nBcc: x@example.com <b>');
    const out = createRenderer({ templatesDir: dir }).render(payloadFromFixture('mixed-resolved-and-firing.json'));
    expect(out.html).toContain('&lt;script&gt;');
    expect(out.text).toBe('custom 1');
    // Plain-text context: no HTML entities in the subject, and no line breaks.
    expect(out.subject).toBe('ALERT HighCPU Bcc: x@example.com <b>');
  });

  it('falls back to the built-in template for files the directory lacks; config subjectTemplate wins', () => {
    writeFileSync(join(dir, 'subject.ejs'), 'from dir');
    const out = createRenderer({ templatesDir: dir, subjectTemplate: '<%= it.subject %> [prod]' }).render(
      payloadFromFixture('firing-one-alert-bearer.json'),
    );
    expect(out.subject).toBe('[FIRING:1] DiskWillFillIn4h (cluster=prod-bj) [prod]');
    expect(out.html).toContain('DiskWillFillIn4h');
  });

  it('fails at creation when a template does not compile', () => {
    writeFileSync(join(dir, 'html.ejs'), '<% if (it.firing.length) { %>unclosed');
    expect(() => createRenderer({ templatesDir: dir })).toThrow(GatewayError);
    try {
      createRenderer({ templatesDir: dir });
    } catch (e) {
      expect((e as GatewayError).code).toBe('TEMPLATE_INVALID');
      expect((e as GatewayError).message).toContain('html.ejs');
    }
  });

  it('fails at creation when a template breaks on real data (typo in a field name)', () => {
    writeFileSync(join(dir, 'text.ejs'), '<%= it.alerst.length %>');
    expect(() => createRenderer({ templatesDir: dir })).toThrow(/TEMPLATE_INVALID|text\.ejs failed to render/);
    expect(() => createRenderer({ subjectTemplate: '<%= nope %>' })).toThrow(/subjectTemplate failed to render/);
  });

  it('refuses a templatesDir that does not exist', () => {
    expect(() => createRenderer({ templatesDir: join(dir, 'missing') })).toThrow(/not a directory/);
  });
});
