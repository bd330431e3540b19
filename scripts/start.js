// `npm start`: the whole stack on one machine — ingest and the three notifiers as separate
// processes with prefixed, coloured logs; Ctrl-C stops them all. Runs the compiled code
// (npm start builds first). Redis is found the documented way; a private one is started if needed.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { locateRedis, loadConfig, redactUrl } = require('../packages/shared/dist/index.js');

const ROOT = path.join(__dirname, '..');
const SERVICES = [
  { name: 'ingest', colour: 36 },
  { name: 'notifier-email', colour: 35 },
  { name: 'notifier-sms', colour: 33 },
  { name: 'notifier-chat', colour: 32 },
];
const say = (line) => process.stdout.write(`\x1b[1m[start]\x1b[0m ${line}\n`);

const LEVEL_COLOUR = { error: 31, warn: 33, info: 32, debug: 90 };

/** The services log JSON (for machines); on a terminal, show "time level message key=value". */
function readable(line) {
  if (!process.stdout.isTTY || line[0] !== '{') return line;
  try {
    const { level, message, timestamp, service, ...rest } = JSON.parse(line);
    const extra = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
    const time = String(timestamp ?? '').slice(11, 19);
    return `${time} \x1b[${LEVEL_COLOUR[level] ?? 0}m${level}\x1b[0m ${message}${extra ? `  \x1b[2m${extra}\x1b[0m` : ''}`;
  } catch {
    return line;
  }
}

async function main() {
  const { config, path: configPath } = loadConfig({ argv: process.argv.slice(2), env: process.env, cwd: ROOT });
  say(`config: ${path.relative(process.cwd(), configPath) || configPath}`);

  let redis;
  try {
    redis = await locateRedis({ env: config.redis.url ? { REDIS_URL: config.redis.url } : process.env, dataDir: path.join(ROOT, 'var/redis'), allowContainer: true });
  } catch (err) {
    say(err.message);
    process.exit(1);
  }
  const where = { env: 'from REDIS_URL', default: 'on 127.0.0.1:6379', private: 'private redis-server started, data in ./var/redis (AOF on)', container: 'in a testcontainers container' };
  say(`redis: ${redactUrl(redis.url)} (${where[redis.source]})`);

  const env = { ...process.env, REDIS_URL: redis.url, CONFIG: configPath };
  const children = SERVICES.map((svc) => {
    // cwd ROOT: relative paths in the config (email.sinkDir, templates) mean what is printed below,
    // wherever `node scripts/start.js` was started from.
    const child = spawn(process.execPath, [path.join(ROOT, 'packages', svc.name, 'dist/main.js')], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = `\x1b[${svc.colour}m[${svc.name}]\x1b[0m `;
    for (const stream of [child.stdout, child.stderr]) {
      let buffered = '';
      stream.on('data', (chunk) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop();
        for (const line of lines) process.stdout.write(prefix + readable(line) + '\n');
      });
    }
    child.on('exit', (code, signal) => {
      say(`${svc.name} exited (${signal ?? code})`);
      if (!stopping) stop(1);
    });
    return child;
  });

  const { host, port } = config.ingest.listen;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const auth = config.ingest.auth.bearerTokens[0] ? `-H 'Authorization: Bearer ${'<your token>'}' ` : '';
  say(`webhook:  ${url}/webhook/alertmanager`);
  say('alertmanager.yml receiver:');
  process.stdout.write(
    ['  receivers:', '    - name: alertgw', '      webhook_configs:', `        - url: ${url}/webhook/alertmanager`, '          send_resolved: true', ''].join('\n'),
  );
  say(`try:  curl -sS ${auth}-H 'Content-Type: application/json' --data @examples/sample-alert.json ${url}/webhook/alertmanager`);
  if (config.email.transport === 'sink') say(`mail: written to ${path.resolve(ROOT, config.email.sinkDir)} (open the .html or .eml files)`);
  if (!config.sms.tencent.secretId) say('sms:  dry-run (no Tencent credentials): the SendSms request is logged and kept in the task');
  if (config.chat.dryRun) say('chat: dry-run (chat.dryRun): each robot message is logged by [notifier-chat] and kept in the task, not posted');
  else if (config.robots.length === 0) say('chat: no robots configured, so nothing goes to chat (notifier-chat runs dry); add some: README "Chat robots", or `npm run cli -- robot set`');
  else say(`chat: robots ${config.robots.map((r) => `${r.name} (${r.type})`).join(', ')}; their webhook URLs and secrets are read from this environment when sending`);

  // "listening" is not "ready": a service answers /readyz only once Redis answers it too, and a
  // webhook posted before ingest's connection is up gets 503 (retry later). So say when to post.
  const opsUrl = (listen) => `http://${listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host}:${listen.port}/readyz`;
  const readiness = [['ingest', opsUrl(config.ingest.listen)], ...[['notifier-email', config.email], ['notifier-sms', config.sms], ['notifier-chat', config.chat]].filter(([, c]) => Number(c.listen.port) > 0).map(([name, c]) => [name, opsUrl(c.listen)])];
  waitUntilReady(readiness, READY_WITHIN_MS).then((late) => {
    if (stopping) return;
    if (late.length === 0) say('ready: every service answers /readyz; post the sample alert (try: above)');
    else say(`not ready after ${READY_WITHIN_MS / 1000} s: ${late.join(', ')} (see their log lines above)`);
  });

  let stopping = false;
  function stop(code) {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    let left = children.filter((c) => c.exitCode === null).length;
    const done = () => redis.stop().finally(() => process.exit(code));
    if (left === 0) return done();
    for (const c of children) {
      if (c.exitCode !== null) continue;
      c.once('exit', () => --left === 0 && done());
      c.kill('SIGTERM');
    }
  }
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
}

/** How long `npm start` waits for every service's /readyz before saying which is not ready. */
const READY_WITHIN_MS = 60_000;

/** Polls each [name, /readyz URL] until it answers 200; resolves with the names still not ready at the deadline. */
async function waitUntilReady(services, withinMs) {
  const deadline = Date.now() + withinMs;
  let waiting = services;
  while (waiting.length > 0 && Date.now() < deadline) {
    const answers = await Promise.all(waiting.map(([, url]) => fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.ok, () => false)));
    waiting = waiting.filter((_, i) => !answers[i]);
    if (waiting.length > 0) await new Promise((r) => setTimeout(r, 100));
  }
  return waiting.map(([name]) => name);
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
