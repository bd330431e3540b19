// A worker process for the multi-process tests. Runs the compiled shared package (npm test builds it first).
// argv: <prefix> <mode: count|hang> <concurrency> <leaseMs>
const path = require('node:path');
const dist = path.join(__dirname, '../../../dist/index.js');
const { TaskQueue, Worker } = require(dist);
const Redis = require('ioredis');

const [prefix, mode, concurrency, leaseMs] = process.argv.slice(2);
const redis = new Redis(process.env.REDIS_URL);
const queue = new TaskQueue({ redis, prefix, name: 'email', leaseMs: Number(leaseMs), maxAttempts: 5 });
const seen = `{${prefix}}:email:test-sent`;
const settled = `{${prefix}}:email:test-acked`;

const handler = {
  async send(task, pending, signal) {
    if (mode === 'hang') {
      await redis.set(`{${prefix}}:email:test-started`, `${task.id}:${process.pid}`);
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    }
    await redis.hincrby(seen, task.id, 1);
    const results = {};
    for (const a of pending) results[a] = { status: 'delivered', at: new Date().toISOString() };
    return { results };
  },
};
const worker = new Worker({
  queue,
  handler,
  concurrency: Number(concurrency),
  onSettled: async (task, s) => {
    if (s.status === 'completed') await redis.hincrby(settled, task.id, 1);
  },
});
worker.start();
process.send?.('ready');
process.on('SIGTERM', async () => {
  await worker.close(5000);
  await redis.quit();
  process.exit(0);
});
