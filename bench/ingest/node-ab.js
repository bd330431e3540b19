#!/usr/bin/env node
'use strict';
// Ingest's own work on a delivery (JSON.parse, validation, the accept step: routing, the shared
// part, the accept command encoded as it goes on the wire) without HTTP and without Redis, as an
// interleaved A/B of two builds in one process: this checkout and --base DIR (built too). Redis is
// a stub that encodes each command (toWritable) and answers at once, so no socket write or reply
// is in the figures, and neither is urgentFirst's turn of the event loop. Batches of deliveries
// alternate between the sides (and which goes first); prints each side's CPU per delivery (min,
// p25, median of the batches) and the load average. Steps of a few µs that a whole-server run on a
// busy host cannot resolve show here; the min is the steadiest figure.
//
//   npm run build && node bench/ingest/node-ab.js --base /path/to/other/checkout [--batches 40] [--size 200] [--this-first]
//
// The side set up first may run a little cheaper: run it both ways.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { benchConfig } = require('./bench-config');

function parseArgs(argv) {
  const opts = { base: null, batches: 40, size: 200, thisFirst: false };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--base') opts.base = path.resolve(v());
    else if (argv[i] === '--batches') opts.batches = Number(v());
    else if (argv[i] === '--size') opts.size = Number(v());
    else if (argv[i] === '--this-first') opts.thisFirst = true;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!opts.base) throw new Error('--base <other checkout> is required');
  return opts;
}

/** A build's validation and accept step, set up as ingest sets them up, over a Redis stub. */
function side(root) {
  const req = (p) => require(path.join(root, p));
  const shared = req('packages/shared/dist/index.js');
  const ingest = req('packages/ingest/dist/index.js');
  const { validateWebhook } = req('packages/ingest/dist/webhook/index.js');
  const config = benchConfig(shared, { redisUrl: 'redis://127.0.0.1:0', prefix: 'node-ab', bodyLimitBytes: 1_048_576 });
  const channels = Object.keys(config.channels).filter((c) => config.channels[c].enabled);
  // Every command is one of the accept: a task per channel (email, sms), both new.
  const redis = {
    defineCommand() {},
    sendCommand(cmd) {
      cmd.toWritable();
      cmd.resolve(['1', 0, '2', 0]);
      return cmd.promise;
    },
  };
  const accept = ingest.createAcceptDelivery({
    redis,
    config,
    queues: new Map(channels.map((name) => [name, new shared.TaskQueue({ redis, prefix: 'node-ab', name })])),
    resolver: shared.createResolver(config, channels),
    metrics: ingest.createIngestMetrics(shared.createRegistry()),
    logger: shared.createLogger({ service: 'node-ab', level: 'error' }),
    urgentFirst: { turn: () => Promise.resolve(), waiting: 0 },
  });
  return { validateWebhook, accept, cpu: [] };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const here = path.join(__dirname, '..', '..');
  const sides = opts.thisFirst ? { this: side(here), base: side(opts.base) } : { base: side(opts.base), this: side(here) };
  const { body } = JSON.parse(fs.readFileSync(path.join(__dirname, 'body-10-alerts.json'), 'utf8'));
  body.groupKey = `${body.groupKey}#@@COUNTER@@`;
  const [before, after] = JSON.stringify(body).split('@@COUNTER@@');
  let n = 0;
  // As the webhook route does it: the bytes as received, decoded, parsed, validated, accepted, answered.
  const batch = async (s) => {
    for (let i = 0; i < opts.size; i++) {
      const raw = Buffer.from(`${before}${n++}${after}`);
      const result = s.validateWebhook(JSON.parse(raw.toString('utf8')));
      if (!result.ok) throw new Error('the bench body did not validate');
      JSON.stringify(await s.accept(result.value, raw));
    }
  };
  for (const s of Object.values(sides)) for (let k = 0; k < 5; k++) await batch(s);
  for (let b = 0; b < opts.batches; b++) {
    for (const name of b % 2 ? ['this', 'base'] : ['base', 'this']) {
      const s = sides[name];
      const start = process.cpuUsage();
      await batch(s);
      const used = process.cpuUsage(start);
      s.cpu.push((used.user + used.system) / opts.size);
    }
  }
  const at = (values, q) => [...values].sort((a, b) => a - b)[Math.floor(values.length * q)].toFixed(1);
  for (const [name, s] of Object.entries(sides)) {
    console.log(`${name.padEnd(5)} CPU µs/delivery min ${at(s.cpu, 0)}, p25 ${at(s.cpu, 0.25)}, median ${at(s.cpu, 0.5)} (${s.cpu.length} batches of ${opts.size})`);
  }
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
