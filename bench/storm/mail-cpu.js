#!/usr/bin/env node
'use strict';
// CPU per mail of notifier-email's own work in a storm, without the queue, Redis or ingest:
// render a 10-alert storm group with the built-in templates, build the message and send it
// over the SMTP transport (nodemailer's pool, 5 connections, 8 mails at once) to relay.js in
// its own process (2 ms per mail here, so the client is the busy side). Prints the client's
// CPU per mail (process.cpuUsage) for three rounds after a warm-up.
//
//   npm run build && node bench/storm/mail-cpu.js [mails per round, default 1500]

const path = require('node:path');
const { fork } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'packages', 'notifier-email', 'dist');
const { createRenderer } = require(path.join(DIST, 'render', 'create-renderer.js'));
const { createSmtpTransport } = require(path.join(DIST, 'transports', 'smtp.js'));

const N = Number(process.argv[2] ?? 1500);
const CONCURRENCY = 8;

/** A storm group as ingest hands it to the notifier: 10 critical alerts, one on-call recipient. */
function stormGroup(g, startsAt) {
  const alertname = `StormCrit${String(g).padStart(4, '0')}`;
  return {
    receiver: 'storm', status: 'firing', groupKey: `{}:{alertname="${alertname}"}`, groupLabels: { alertname },
    commonLabels: { alertname, severity: 'critical', team: 'storm' }, commonAnnotations: { description: 'bench/storm' },
    externalURL: 'http://alertmanager.example:9093', truncatedAlerts: 0, deliveryKey: `d${g}`,
    recipients: [{ address: 'oncall-0@example.com', name: 'oncall-0' }], cc: [],
    alerts: Array.from({ length: 10 }, (_, k) => ({
      status: 'firing', fingerprint: `${g}-${k}`, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
      labels: { alertname, severity: 'critical', instance: `host-${k}.example`, team: 'storm' },
      annotations: { summary: `storm alert ${k} of group ${g}`, description: 'bench/storm' },
    })),
  };
}

async function main() {
  const relay = fork(path.join(__dirname, 'relay.js'), [JSON.stringify({ maxPerClient: 10, delayMs: 2 })], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve) => relay.once('message', resolve));
  const renderer = createRenderer();
  const transport = createSmtpTransport({
    host: '127.0.0.1', port, secure: false, requireTLS: false, tls: { rejectUnauthorized: true },
    connectionTimeoutMs: 2000, greetingTimeoutMs: 2000, socketTimeoutMs: 5000, pool: { maxConnections: 5, rateDeltaMs: 1000, rateLimit: 0 },
  });
  const startsAt = new Date().toISOString();
  const sendOne = (g) =>
    transport.send(
      {
        from: 'Alert Gateway <alerts@example.com>', to: ['oncall-0@example.com'], cc: [], envelopeTo: ['oncall-0@example.com'],
        ...renderer.render(stormGroup(g, startsAt)),
        messageId: `<${g}@alertgw>`, inReplyTo: '<group@alertgw>', references: '<group@alertgw>',
        headers: { 'Auto-Submitted': 'auto-generated' }, attachments: [], priority: 0,
      },
      new AbortController().signal,
    );
  const round = async (n) => {
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await sendOne(next++);
    }));
  };
  try {
    await round(200);
    for (let r = 0; r < 3; r++) {
      const before = process.cpuUsage();
      const t0 = Date.now();
      await round(N);
      const used = process.cpuUsage(before);
      const ms = (us) => (us / N / 1000).toFixed(3);
      console.log(`render + build + send: ${ms(used.user + used.system)} ms CPU per mail (user ${ms(used.user)}, sys ${ms(used.system)}), ${Math.round(N / ((Date.now() - t0) / 1000))} mails/s`);
    }
  } finally {
    transport.close();
    relay.kill();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
