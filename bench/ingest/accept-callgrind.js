#!/usr/bin/env node
'use strict';
// Redis' cost of the accept script in instructions, which, unlike CPU time, a busy host does not
// blur: captures the exact commands a build's accept step sends for a run of deliveries, then
// replays them on a private redis-server under `valgrind --tool=callgrind` and counts the
// instructions Redis spent on the measured ones (after a warm-up that grows the timelines to their
// cap, the steady state), per delivery. Run it for two builds to compare them.
//
//   npm run build && node bench/ingest/accept-callgrind.js [--root /other/checkout] [--deliveries 500] [--warmup 100]
//     [--redis-server /path/to/redis-server]   (one built with symbols names the functions in the profile)
//
// Prints the total and the part spent in EVALSHA (the steadier figure: see inclusiveCount's use).
// Needs valgrind. The body is body-10-alerts.json with a fresh groupKey per delivery, as in
// accept-ab.js; the whole replay (protocol parsing, the script, replies) is counted.

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const { once } = require('node:events');
const { spawn, execFileSync } = require('node:child_process');
const { acceptStep } = require('./bench-config');

function parseArgs(argv) {
  const opts = { root: path.resolve(__dirname, '..', '..'), deliveries: 500, warmup: 100, redisServer: 'redis-server' };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i];
    if (argv[i] === '--root') opts.root = path.resolve(v());
    else if (argv[i] === '--deliveries') opts.deliveries = Number(v());
    else if (argv[i] === '--warmup') opts.warmup = Number(v());
    else if (argv[i] === '--redis-server') opts.redisServer = v();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

/** The bytes the build at `root` sends for warmup + measured deliveries, as two buffers. */
async function capture(root, warmup, deliveries) {
  const { accept, redis, located } = await acceptStep(root, { prefix: 'cg', service: 'accept-callgrind' });
  let sent = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (cmd, ...rest) => {
    // A NOSCRIPT failure is followed by the EVAL that loads the script: replay only that one.
    if (cmd.name === 'eval') sent.pop();
    sent.push(cmd.toWritable());
    return send(cmd, ...rest);
  };
  const { body } = JSON.parse(fs.readFileSync(path.join(__dirname, 'body-10-alerts.json'), 'utf8'));
  const groupKey = body.groupKey;
  const run = async (from, count) => {
    for (let n = from; n < from + count; n++) {
      const raw = Buffer.from(JSON.stringify({ ...body, groupKey: `${groupKey}#${n}` }));
      await accept(JSON.parse(raw), raw);
    }
    const out = Buffer.concat(sent.map((b) => (typeof b === 'string' ? Buffer.from(b) : b)));
    sent = [];
    return out;
  };
  try {
    const warm = await run(0, warmup);
    const measured = await run(warmup, deliveries);
    return { warm, measured };
  } finally {
    redis.disconnect();
    await located.stop();
  }
}

/** Sends `bytes` and resolves once Redis answered all of it (an ECHO sent after it came back). */
function replay(socket, bytes) {
  const marker = `replay-done-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    let tail = '';
    const onData = (buf) => {
      const text = buf.toString('latin1');
      // Replies are arrays of ids and counts: an error line is the script failing (rejected, so
      // that main() still stops the server).
      const err = /^-.*$/m.exec(text);
      if (err) {
        socket.off('data', onData);
        reject(new Error(`the replayed accept failed: ${err[0]}`));
        return;
      }
      tail = (tail + text).slice(-marker.length - 8);
      if (tail.includes(marker)) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.write(bytes);
    socket.write(`*2\r\n$4\r\nECHO\r\n$${marker.length}\r\n${marker}\r\n`);
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { warm, measured } = await capture(opts.root, opts.warmup, opts.deliveries);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'accept-cg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const out = path.join(dir, 'callgrind.out');
  const server = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, opts.redisServer, '--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--slowlog-log-slower-than', '-1'],
    { stdio: 'ignore' },
  );
  try {
    let socket;
    for (let i = 0; i < 300 && !socket; i++) {
      socket = await new Promise((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
        s.once('error', () => setTimeout(() => resolve(null), 100));
      });
    }
    if (!socket) throw new Error('redis-server under valgrind did not start');
    await replay(socket, warm);
    execFileSync('callgrind_control', ['-z', String(server.pid)], { stdio: 'ignore' });
    await replay(socket, measured);
    execFileSync('callgrind_control', ['-d', String(server.pid)], { stdio: 'ignore' });
    socket.destroy();
    const dumps = fs.readdirSync(dir).filter((f) => f.startsWith('callgrind.out'));
    let total = 0;
    let measuredDump;
    for (const f of dumps) {
      const m = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
      // The final dump at exit (after the measured one) holds only what came after it: skip it.
      if (m && f !== 'callgrind.out' && Number(m[1]) > total) {
        total = Number(m[1]);
        measuredDump = path.join(dir, f);
      }
    }
    const per = (n) => (n / opts.deliveries / 1000).toFixed(1);
    // The scripts alone (EVALSHA's inclusive count): without serverCron, whose ticks follow the
    // wall clock and so the host's load, repeat runs agree within ~0.3 % where the total moves ~1.5 %.
    const script = measuredDump ? inclusiveCount(measuredDump, 'evalShaCommand') : null;
    console.log(
      `${opts.root}: ${per(total)} k instructions per delivery in Redis` +
        (script ? `, ${per(script)} k of them in EVALSHA` : '') +
        ` (${opts.deliveries} deliveries after ${opts.warmup} warm-up; ${dir})`,
    );
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

/** A function's inclusive instruction count in a callgrind dump (Redis exports its symbols), or null. */
function inclusiveCount(dump, fn) {
  try {
    const text = execFileSync('callgrind_annotate', ['--inclusive=yes', '--threshold=100', dump], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const m = new RegExp(`^\\s*([\\d,]+) .*:${fn} \\[`, 'm').exec(text);
    return m ? Number(m[1].replace(/,/g, '')) : null;
  } catch {
    return null;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
