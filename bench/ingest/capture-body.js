#!/usr/bin/env node
'use strict';
// Records a real 10-alert delivery from a local Alertmanager (the benchmark's request body):
//   node bench/ingest/capture-body.js [--bin /usr/bin/prometheus-alertmanager]
// Writes bench/ingest/body-10-alerts.json as { headers, body } like the shared fixtures.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const binArg = process.argv.indexOf('--bin');
const BIN = binArg > 0 ? process.argv[binArg + 1] : '/usr/bin/prometheus-alertmanager';
const OUT = path.join(__dirname, 'body-10-alerts.json');

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function main() {
  if (!fs.existsSync(BIN)) throw new Error(`Alertmanager not found at ${BIN} (apt-get install prometheus-alertmanager)`);
  let resolveDelivery;
  const delivered = new Promise((r) => (resolveDelivery = r));
  const sink = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      res.end('ok');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (body.alerts.length === 10) resolveDelivery({ headers: req.headers, body });
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const sinkPort = sink.address().port;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alertgw-capture-'));
  fs.writeFileSync(
    path.join(dir, 'am.yml'),
    [
      'route:',
      '  receiver: ops',
      "  group_by: ['alertname', 'cluster']",
      '  group_wait: 2s',
      '  group_interval: 5s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: ops',
      '    webhook_configs:',
      `      - url: http://127.0.0.1:${sinkPort}/webhook/alertmanager`,
      '        send_resolved: true',
      '        http_config:',
      '          authorization: { type: Bearer, credentials: bench-token }',
      '',
    ].join('\n'),
  );
  const amPort = await freePort();
  const am = spawn(
    BIN,
    [`--config.file=${path.join(dir, 'am.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=warn'],
    { stdio: 'inherit' },
  );
  try {
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => null))?.ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const now = Date.now();
    const alerts = Array.from({ length: 10 }, (_, i) => ({
      labels: {
        alertname: 'NodeFilesystemAlmostFull',
        cluster: 'prod-bj',
        instance: `10.0.${Math.floor(i / 4)}.${10 + i}:9100`,
        job: 'node',
        mountpoint: i % 2 ? '/data' : '/',
        severity: i < 2 ? 'critical' : 'warning',
        team: i < 5 ? 'infra' : 'db',
      },
      annotations: {
        summary: `磁盘 ${i % 2 ? '/data' : '/'} 剩余空间低于 ${i < 2 ? 5 : 10}%`,
        description: `Filesystem on 10.0.${Math.floor(i / 4)}.${10 + i}:9100 has only ${3 + i}% available space left.`,
        runbook_url: 'https://runbooks.example.com/node/NodeFilesystemAlmostFull',
      },
      startsAt: new Date(now - (i + 1) * 60_000).toISOString(),
      generatorURL: `http://prometheus.example.com:9090/graph?g0.expr=node_filesystem_avail_bytes&g0.tab=1&i=${i}`,
    }));
    const res = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status}`);
    const delivery = await Promise.race([delivered, new Promise((_, rej) => setTimeout(() => rej(new Error('no delivery in 20 s')), 20_000))]);
    fs.writeFileSync(OUT, `${JSON.stringify(delivery, null, 2)}\n`);
    console.log(`wrote ${OUT} (${delivery.headers['content-length']} bytes, ${delivery.body.alerts.length} alerts)`);
  } finally {
    const exited = new Promise((r) => am.once('exit', r));
    am.kill('SIGTERM');
    await exited;
    sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
