'use strict';
// Redis instructions per phase of the queue's life, for `valgrind --tool=callgrind` runs of a
// private redis-server (not a timing bench: instruction counts do not blur on a busy machine).
// Enqueues N bench payloads, claims them 16 at a time, acks them 16 at a time, and asks
// callgrind for a dump after each phase, so each script is counted alone:
//
//   valgrind --tool=callgrind --callgrind-out-file=/tmp/cg/cg.%p redis-server --port 6393 --save "" --appendonly no &
//   node bench/queue/callgrind-phases.js 6393 $!            # PARTS=1: one shared part per 3 tasks
//   redis-cli -p 6393 shutdown nosave; grep -H '^summary' /tmp/cg/cg.*   # one file per dump
//
// QUEUE_BENCH_DIST (with NODE_PATH=node_modules) runs another build, as in scenario.js.

const { execFileSync } = require('node:child_process');
const path = require('node:path');
const Redis = require('ioredis');
const { makePayload } = require('./payload');

const DIST = process.env.QUEUE_BENCH_DIST || path.join(__dirname, '..', '..', 'packages', 'shared', 'dist', 'index.js');
const N = Number(process.env.N || 3000);
const BATCH = 16;

async function main() {
  const [port, valgrindPid] = process.argv.slice(2);
  if (!port || !valgrindPid) throw new Error('usage: node callgrind-phases.js <redis port> <valgrind pid>');
  const { TaskQueue, packJson } = require(DIST);
  const dump = (label) => execFileSync('callgrind_control', ['-d', label, valgrindPid], { stdio: 'ignore' });
  const redis = new Redis({ port: Number(port) });
  const prefix = `cg${process.pid}`;
  const queue = new TaskQueue({ redis, prefix, name: 'email' });
  for (let i = 0; i < N; i += 500) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(N, i + 500); j++) {
      const payload = makePayload(j);
      const input = { payload, severityRank: 1 };
      if (process.env.PARTS === '1') {
        // ingest's shape: the alerts in a part that several tasks name, the rest in the task.
        const { alerts, ...own } = payload;
        input.payload = own;
        input.part = { key: `{${prefix}}:parts:${Math.floor(j / 3)}`, value: packJson(JSON.stringify({ alerts })) };
      }
      queue.addEnqueueToPipeline(pipeline, input);
    }
    for (const [err] of await pipeline.exec()) if (err) throw err;
  }
  dump('enqueue');
  const tasks = [];
  for (;;) {
    const batch = await queue.claimMany('callgrind', BATCH);
    tasks.push(...batch.tasks);
    if (batch.tasks.length < BATCH) break;
  }
  dump('claim');
  const results = { 'alice@example.com': { status: 'delivered', at: new Date().toISOString() } };
  for (let i = 0; i < tasks.length; i += BATCH) {
    // Acks of one tick go as one script call, as the worker's do.
    const acks = await Promise.all(tasks.slice(i, i + BATCH).map((t) => queue.ack(t.id, t.token, results, undefined, t.partKey)));
    if (!acks.every(Boolean)) throw new Error('an ack was refused');
  }
  dump('ack');
  console.log(JSON.stringify({ tasks: tasks.length, counts: await queue.counts() }));
  redis.disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
