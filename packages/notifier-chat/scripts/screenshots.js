// Renders one sample alert group for each provider the way its chat client shows it
// (markdown or card -> HTML with the client's look) and screenshots it in headless Chromium:
// docs/chat-wecom.png, docs/chat-dingtalk.png, docs/chat-feishu.png.
// Usage: npm run build && npm run screenshots -w @alertgw/notifier-chat
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { createChatRenderer } = require('../dist/render/chat-renderer');
const { chatViewOf } = require('../dist/render/chat-view');
const { PROVIDERS } = require('../dist/providers/index');
const { mentionsFor } = require('../dist/mentions');

const DOCS = path.resolve(__dirname, '../../../docs');

function samplePayload() {
  const alert = (i, status, severity, summary) => ({
    status,
    labels: { alertname: 'DiskAlmostFull', severity, cluster: 'prod-bj', instance: `db-${i}.prod:9100`, mountpoint: '/var/lib/mysql' },
    annotations: { summary },
    startsAt: '2026-11-30T03:00:00Z',
    endsAt: status === 'resolved' ? '2026-11-30T03:20:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.prod:9090/graph?g0.expr=node_filesystem_avail_bytes',
    fingerprint: `f00d${i}`,
  });
  const alerts = [
    alert(1, 'firing', 'critical', '/var/lib/mysql 97% full, 2 h to full'),
    alert(2, 'firing', 'critical', '/var/lib/mysql 95% full, 6 h to full'),
    // English only: the machine that makes these has no CJK font (labels in Chinese render fine in the clients).
    alert(3, 'firing', 'critical', '/var/lib/mysql 93% full, 9 h to full'),
    ...Array.from({ length: 9 }, (_, i) => alert(i + 4, 'firing', 'critical', `/var/lib/mysql ${92 - i}% full`)),
  ];
  return {
    channel: 'chat', receiver: 'alertgw', groupKey: '{}:{alertname="DiskAlmostFull"}', status: 'firing', severity: 'critical',
    externalURL: 'http://alertmanager.prod:9093', groupLabels: { alertname: 'DiskAlmostFull', cluster: 'prod-bj' },
    commonLabels: { alertname: 'DiskAlmostFull', severity: 'critical', cluster: 'prod-bj' }, commonAnnotations: {}, truncatedAlerts: 0,
    alerts, recipients: [], owners: [{ name: 'zhang', phone: '+8613800000001', chatIds: { wecom: 'zhangsan', feishu: 'ou_zhang' } }],
    deliveryKey: 'sample', receivedAt: '2026-11-30T03:01:00Z',
  };
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The markdown subset the templates write, as the clients render it (font colours, mentions, links, bold, lists, quotes, headings). */
function markdownToHtml(md, palette) {
  const inline = (line) =>
    esc(line)
      .replace(/&lt;font color=(?:&quot;|')([#\w]+)(?:&quot;|')&gt;(.*?)&lt;\/font&gt;/g, (_, c, t) => `<span style="color:${palette[c] ?? c}">${t}</span>`)
      .replace(/&lt;@([\w.-]+)&gt;/g, '<span class="at">@$1</span>')
      .replace(/&lt;at id=([\w.-]+)&gt;&lt;\/at&gt;/g, '<span class="at">@$1</span>')
      .replace(/\*\*(.+?)\*\*/g, '<b>$1</b>')
      .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>')
      .replace(/(^|\s)@(\d{11})/g, '$1<span class="at">@$2</span>');
  const out = [];
  let list = false;
  for (const line of md.split('\n')) {
    if (line.startsWith('- ')) {
      if (!list) out.push('<ul>');
      list = true;
      out.push(`<li>${inline(line.slice(2))}</li>`);
      continue;
    }
    if (list) out.push('</ul>');
    list = false;
    if (/^#{1,6} /.test(line)) out.push(`<h3>${inline(line.replace(/^#+ /, ''))}</h3>`);
    else if (line.startsWith('> ')) out.push(`<blockquote>${inline(line.slice(2))}</blockquote>`);
    else if (line.trim()) out.push(`<p>${inline(line)}</p>`);
  }
  if (list) out.push('</ul>');
  return out.join('\n');
}

const BASE_CSS = `body{margin:0;padding:24px;background:#eef0f3;font:14px/1.55 -apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2329;width:560px}
a{color:#3370ff;text-decoration:none}.at{color:#3370ff}ul{margin:6px 0;padding-left:18px}li{margin:3px 0}p{margin:6px 0}h3{margin:4px 0 8px;font-size:16px}
blockquote{margin:2px 0;padding-left:8px;border-left:3px solid #d0d3d6;color:#646a73}.who{font-size:12px;color:#8f959e;margin-bottom:4px}`;

function wecomHtml(body) {
  const palette = { info: '#06a35a', comment: '#8f959e', warning: '#f5a623' };
  return `<style>${BASE_CSS}.bubble{background:#fff;border-radius:6px;padding:12px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}</style>
<div id="shot"><div class="who">Alert robot · WeCom</div><div class="bubble">${markdownToHtml(body.markdown.content, palette)}</div></div>`;
}

function dingtalkHtml(body) {
  return `<style>${BASE_CSS}.card{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 3px rgba(0,0,0,.1)}</style>
<div id="shot"><div class="who">Alert robot · DingTalk · ${esc(body.markdown.title)}</div><div class="card">${markdownToHtml(body.markdown.text, {})}</div></div>`;
}

function feishuHtml(body) {
  const header = { red: '#f54a45', orange: '#ff8800', yellow: '#dc9b04', blue: '#3370ff', grey: '#8f959e', green: '#34c724' };
  const card = body.card;
  const div = card.elements.find((e) => e.tag === 'div');
  const action = card.elements.find((e) => e.tag === 'action');
  const buttons = (action?.actions ?? []).map((b) => `<a class="btn" href="${esc(b.url)}">${esc(b.text.content)}</a>`).join('');
  return `<style>${BASE_CSS}.card{background:#fff;border-radius:8px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.1)}
.hd{padding:12px 16px;color:#fff;font-weight:600;font-size:16px;background:${header[card.header.template] ?? '#8f959e'}}.bd{padding:10px 16px}
.btn{display:inline-block;margin:6px 8px 12px 0;padding:5px 12px;border:1px solid #d0d3d6;border-radius:6px;color:#1f2329}</style>
<div id="shot"><div class="who">Alert robot · Feishu</div><div class="card"><div class="hd">${esc(card.header.title.content)}</div>
<div class="bd">${markdownToHtml(div.text.content, header)}<div>${buttons}</div></div></div></div>`;
}

async function main() {
  const renderer = createChatRenderer();
  const view = chatViewOf(samplePayload());
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'alertgw-shots-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 640, height: 400 },
    deviceScaleFactor: 2,
  });
  try {
    const page = await context.newPage();
    for (const [type, toHtml] of [['wecom', wecomHtml], ['dingtalk', dingtalkHtml], ['feishu', feishuHtml]]) {
      const provider = PROVIDERS[type];
      const robot = { name: 'ops', type, webhookUrl: '${URL}' };
      const rendered = renderer.render(provider, view, mentionsFor(robot, samplePayload().owners), 5);
      await page.setContent(`<!doctype html><meta charset="utf-8">${toHtml(rendered.body)}`);
      const file = path.join(DOCS, `chat-${type}.png`);
      await page.locator('#shot').screenshot({ path: file });
      console.log(`${path.relative(process.cwd(), file)}: ${rendered.bytes} of ${rendered.maxBytes} bytes, ${rendered.shown} alerts listed, ${rendered.more} more`);
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
