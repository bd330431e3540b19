// `node scripts/ack-page-screenshot.js [out.png]` (after `npm run build`): starts a real ingest on a
// free loopback port with a throwaway key prefix, posts a three-alert group, acks one alert
// through lisi's link, then opens zhangsan's group link in headless Chromium at phone size
// (390×844) and writes docs/ack-page.png. Needs Redis ($REDIS_URL, else 127.0.0.1:6379) and
// Chromium at $CHROMIUM (default /usr/bin/chromium). Not a test: it documents the page.
const { once } = require('node:events');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { randomBytes } = require('node:crypto');
const Redis = require('ioredis');
const { chromium } = require('playwright-core');
const shared = require('../packages/shared/dist/index.js');
const ingestPkg = require('../packages/ingest/dist/index.js');

const OUT = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'docs', 'ack-page.png'));
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function delivery(startsAt) {
  const alert = (fp, instance, summary) => ({
    status: 'firing',
    labels: { alertname: 'ReplicationLag', severity: 'critical', team: 'db', instance, cluster: 'prod-bj' },
    annotations: { summary },
    startsAt,
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph',
    fingerprint: fp,
  });
  return {
    version: '4',
    receiver: 'dba',
    status: 'firing',
    groupKey: '{}:{alertname="ReplicationLag"}',
    truncatedAlerts: 0,
    externalURL: 'http://alertmanager.example:9093',
    groupLabels: { alertname: 'ReplicationLag' },
    commonLabels: { alertname: 'ReplicationLag', severity: 'critical', team: 'db', cluster: 'prod-bj' },
    commonAnnotations: {},
    alerts: [
      alert('5c1ee70000000001', 'db-3:9104', 'Replica db-3 is 124 s behind its primary'),
      alert('5c1ee70000000002', 'db-4:9104', 'Replica db-4 is 98 s behind its primary'),
      alert('5c1ee70000000003', 'db-7:9104', 'Replica db-7 is 61 s behind its primary'),
    ],
  };
}

async function main() {
  const port = await shared.freePort();
  const prefix = `shot-${randomBytes(4).toString('hex')}`;
  const raw = {
    redis: { keyPrefix: prefix },
    log: { level: 'error' },
    users: [
      { name: 'zhangsan', email: 'zhangsan@example.com', groups: ['dba'] },
      { name: 'lisi', email: 'lisi@example.com', groups: ['dba'] },
    ],
    routes: [{ name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'] }],
    ingest: { listen: { port }, publicUrl: `http://127.0.0.1:${port}`, ackLinks: { key: '${ACK_LINK_KEY}' } },
    // Never called (nobody presses Ack here); set so that the page offers the silence choice.
    alertmanager: { url: 'http://127.0.0.1:9' },
  };
  const config = shared.buildConfig(raw, { ACK_LINK_KEY: randomBytes(32).toString('base64') });
  const logger = shared.createLogger({ service: 'screenshot', level: 'error' });
  const redis = new Redis(REDIS_URL, ingestPkg.ingestRedisOptions());
  const subscriber = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  await once(redis, 'ready');
  const channels = Object.entries(config.channels).filter(([, o]) => o.enabled).map(([n]) => n);
  const queues = new Map(channels.map((name) => [name, new shared.TaskQueue({ redis, prefix, name })]));
  const handling = ingestPkg.createHandlingRuntime({ config, redis, subscriber, queues, logger });
  await handling.start();
  const { app } = ingestPkg.createApp({ config, redis, queues, resolver: handling.resolver, logger, handling });
  const server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const profile = mkdtempSync(path.join(tmpdir(), 'ack-shot-'));
  let browser;
  try {
    const body = delivery(new Date(Date.now() - 7 * 60_000).toISOString());
    const res = await fetch(`http://127.0.0.1:${port}/webhook/alertmanager`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    const links = await shared.createAckLinkIssuer(shared.ackLinkSettings(config), redis).forPayload(body);
    // Someone else acked one alert already: the page says who, and when.
    const other = await fetch(links.alert('5c1ee70000000001', 'lisi'), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
    if (other.status !== 200) throw new Error(`lisi's ack answered ${other.status}`);

    browser = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(links.group('zhangsan'), { waitUntil: 'load' });
    await page.screenshot({ path: OUT });
    process.stdout.write(`${OUT}\n`);
  } finally {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    server.close();
    await handling.close();
    const keys = [...(await redis.keys(`{${prefix}}*`)), ...(await redis.keys(`{${prefix}:*`))];
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    subscriber.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`ack-page-screenshot: ${err.stack ?? err}\n`);
  process.exit(1);
});
