import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliverySummary } from '@alertgw/shared';
import { CliError, EXIT, println, stringOpt, type CliContext, type Command, type ParsedArgs } from '../command';
import { loadCliConfig } from '../connect';
import { postWebhook, type IngestTarget } from '../ingest-client';
import { durationOption } from '../duration-option';
import { parseLabelArgs, testAlertMessage, TEST_ALERTNAME, type TestAlertInput } from '../test-alert';

/** `alertctl send-test`: a test alert through a running ingest, firing and then resolved. */
export const sendTestCommand: Command = {
  name: 'send-test',
  summary: 'send a test alert (firing, then resolved) to a running ingest',
  help: `Usage: alertctl send-test [options]

Posts a test alert to ingest the way Alertmanager does, waits, then posts it resolved.
Each run is a new alert (label alertgw_test_id), so deduplication never hides it.

Options:
  --url <url>              ingest base URL (default: $INGEST_URL, else ingest.listen from the config)
  --token <token>          bearer token (default: $INGEST_TOKEN or the file in $INGEST_TOKEN_FILE)
  --resolve-after <time>   wait before resolving, e.g. 5s, 1m (default 5s; Ctrl-C resolves at once)
  --firing-only            send the firing notification only
  --severity <value>       severity label (default warning; SMS carry critical and error by default)
  --label <name=value>     extra label, repeatable (e.g. --label owner=carol, --label team=db)
  --receiver <name>        receiver name in the body (default alertctl)
  --timeout <time>         HTTP timeout per request (default 10s)
  --config <path>          configuration file (default: $CONFIG, ./config.yaml, config.example.yaml)`,
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'resolve-after': { type: 'string' },
    'firing-only': { type: 'boolean' },
    severity: { type: 'string' },
    label: { type: 'string', multiple: true },
    receiver: { type: 'string' },
    timeout: { type: 'string' },
  },
  run: sendTest,
};

async function sendTest(args: ParsedArgs, ctx: CliContext): Promise<number> {
  if (args.positionals.length > 0) throw new CliError(`send-test takes no arguments, got "${args.positionals[0]}"`, EXIT.usage);
  const resolveAfterMs = durationOption(stringOpt(args, 'resolve-after') ?? '5s', '--resolve-after');
  const target: IngestTarget = {
    url: ingestUrl(args, ctx),
    token: ingestToken(args, ctx.env),
    timeoutMs: durationOption(stringOpt(args, 'timeout') ?? '10s', '--timeout'),
  };
  const extra = parseLabelArgs((args.values.label as string[] | undefined) ?? []);
  if ('bad' in extra) throw new CliError(`--label must be name=value with a valid label name, got "${extra.bad}"`, EXIT.usage);

  const now = ctx.now ?? (() => new Date());
  const input: TestAlertInput = {
    labels: {
      alertname: TEST_ALERTNAME,
      severity: stringOpt(args, 'severity') ?? 'warning',
      alertgw_test_id: randomBytes(4).toString('hex'),
      ...extra,
    },
    startsAt: now(),
    receiver: stringOpt(args, 'receiver') ?? 'alertctl',
    hostname: ctx.hostname ?? 'localhost',
  };
  const firing = testAlertMessage(input, 'firing');
  const fingerprint = firing.alerts[0].fingerprint;

  const first = await postWebhook(target, firing);
  println(ctx.stdout, `firing    ${input.labels.alertname} (fingerprint ${fingerprint}) accepted by ${target.url}`);
  report(ctx, first);
  if (Object.keys(first.tasks).length === 0) {
    println(ctx.stdout, '          nobody is notified: no channel carries this alert (see channels.* in the config, or try --severity critical)');
  }

  if (!args.values['firing-only']) {
    if (resolveAfterMs > 0) {
      println(ctx.stdout, `resolving in ${Math.round(resolveAfterMs / 100) / 10}s (Ctrl-C resolves now)…`);
      await sleep(resolveAfterMs, undefined, { signal: ctx.signal }).catch(() => {
        // Interrupted: resolve at once, so the test alert does not stay firing.
      });
    }
    const second = await postWebhook(target, testAlertMessage(input, 'resolved', now()));
    println(ctx.stdout, `resolved  ${input.labels.alertname} accepted`);
    report(ctx, second);
  }
  println(ctx.stdout, `timeline: alertctl timeline ${fingerprint}`);
  return EXIT.ok;
}

function report(ctx: CliContext, answer: DeliverySummary): void {
  for (const [channel, task] of Object.entries(answer.tasks)) {
    const who = `${task.recipients} recipient${task.recipients === 1 ? '' : 's'}`;
    println(ctx.stdout, `          ${channel}: task ${task.id}, ${who}${task.duplicate ? ' (duplicate: already accepted before)' : ''}`);
  }
  for (const [channel, why] of Object.entries(answer.skipped)) println(ctx.stdout, `          ${channel}: skipped (${why})`);
}

/** --url, else $INGEST_URL, else where the configured ingest listens. */
function ingestUrl(args: ParsedArgs, ctx: CliContext): string {
  const explicit = stringOpt(args, 'url') ?? (ctx.env.INGEST_URL || undefined);
  if (explicit !== undefined) {
    if (!/^https?:\/\/[^/]/.test(explicit)) throw new CliError(`--url must be an http(s) URL like http://127.0.0.1:9097, got "${explicit}"`, EXIT.usage);
    return explicit;
  }
  const { host, port } = loadCliConfig(args, ctx).config.ingest.listen;
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** --token, else $INGEST_TOKEN, else the content of $INGEST_TOKEN_FILE (the services' convention). */
function ingestToken(args: ParsedArgs, env: NodeJS.ProcessEnv): string | undefined {
  const token = stringOpt(args, 'token') ?? (env.INGEST_TOKEN || undefined);
  if (token !== undefined || !env.INGEST_TOKEN_FILE) return token;
  try {
    return readFileSync(env.INGEST_TOKEN_FILE, 'utf8').replace(/[\r\n]+$/, '');
  } catch (err) {
    throw new CliError(`INGEST_TOKEN_FILE=${env.INGEST_TOKEN_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
