import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  ackLinkSettings,
  classifyError,
  createAckLinkIssuer,
  runChannelService,
  type ChannelContext,
  type ChannelServiceOptions,
  type EmailConfig,
  type Logger,
  type NotificationPayload,
  type SmtpConfig,
} from '@alertgw/shared';
import { createEmailChannel } from './email-channel';
import { payloadFromWebhook, webhookBodyOf } from './preview';
import { createRenderer } from './render/create-renderer';
import { emailTimelineView } from './timeline-view';
import { startSmtpSink } from './transports/smtp-sink';
import { createHttpGatewayTransport } from './transports/http-gateway';
import { startConnectionBudget } from './transports/connection-budget';
import { createSmtpTransport } from './transports/smtp';
import type { MailTransport } from './transports/types';

// The only place notifier-email reads env, argv and files; runChannelService connects and handles signals.

/** email.smtp.tls.ca may be PEM text or a path to a PEM file. */
function withCaLoaded(smtp: SmtpConfig): SmtpConfig {
  const ca = smtp.tls.ca;
  if (!ca || ca.includes('-----BEGIN')) return smtp;
  return { ...smtp, tls: { ...smtp.tls, ca: readFileSync(ca, 'utf8') } };
}

/**
 * The configured transport; "sink" starts the local loopback SMTP sink and sends to it over SMTP.
 * With email.smtp.maxConnectionsTotal, the replicas share that many connections through Redis.
 */
async function createTransport(
  email: EmailConfig,
  logger: Logger,
  ctx: Pick<ChannelContext<NotificationPayload>, 'redis' | 'queue'>,
): Promise<{ transport: MailTransport; stop?: () => Promise<void> }> {
  switch (email.transport) {
    case 'smtp': {
      if (!email.smtp) throw new Error('email.transport is "smtp" but email.smtp is missing');
      const total = email.smtp.maxConnectionsTotal;
      const budget = total ? startConnectionBudget({ redis: ctx.redis, keys: ctx.queue.keys, total }) : undefined;
      return { transport: createSmtpTransport(withCaLoaded(email.smtp), { budget }), stop: budget && (() => budget.close()) };
    }
    case 'http':
      if (!email.http) throw new Error('email.transport is "http" but email.http is missing');
      return { transport: createHttpGatewayTransport(email.http) };
    default: {
      const sink = await startSmtpSink({ dir: resolve(email.sinkDir), logger });
      logger.info('local SMTP sink listening (no SMTP server configured): mails are kept as files', { smtp: `127.0.0.1:${sink.port}`, dir: resolve(email.sinkDir) });
      return { transport: createSmtpTransport(sink.smtp), stop: sink.close };
    }
  }
}

function describeTransport(email: EmailConfig): Record<string, unknown> {
  if (email.transport === 'smtp' && email.smtp) {
    const { host, port, secure, requireTLS, maxConnectionsTotal } = email.smtp;
    return { transport: 'smtp', host, port, secure, requireTLS, auth: Boolean(email.smtp.auth), ...(maxConnectionsTotal ? { maxConnectionsTotal } : {}) };
  }
  if (email.transport === 'http' && email.http) {
    const url = new URL(email.http.url);
    return { transport: 'http', url: `${url.origin}${url.pathname}` };
  }
  return { transport: 'sink', dir: resolve(email.sinkDir) };
}

/** The email channel for the kit: renderer, transport and handler from the `email` config section. */
const emailService: ChannelServiceOptions<NotificationPayload> = {
  name: 'email',
  section: (config) => config.email,
  timeline: emailTimelineView,
  async handler({ config, logger, redis, queue }) {
    const { email } = config;
    // Compiles (and test-renders) every template now: a broken override stops the start.
    const renderer = createRenderer({ templatesDir: email.templatesDir, subjectTemplate: email.subjectTemplate });
    const { transport, stop } = await createTransport(email, logger, { redis, queue });
    const ackLinks = createAckLinkIssuer(ackLinkSettings(config), redis);
    const handler = createEmailChannel({ transport, renderer, from: email.from, attachGroupJson: email.attachGroupJson, ackLinks });
    return {
      handler,
      describe: describeTransport(email),
      // A wrong password or certificate should be visible at startup, not only with the first
      // alert; the server may also just be down for now, so this never stops the start.
      started() {
        transport.verify().then(
          () => logger.info('mail transport reachable', describeTransport(email)),
          (err: unknown) => {
            const cls = classifyError(err);
            const meta = { ...describeTransport(email), code: cls.code, message: err instanceof Error ? err.message : String(err) };
            if (cls.configError) logger.error('mail transport refused our configuration: every mail will fail until it is fixed', meta);
            else logger.warn('mail transport not reachable yet; tasks wait and retry', meta);
          },
        );
      },
      async close() {
        transport.close();
        await stop?.();
      },
    };
  },
};

/**
 * `preview <webhook.json>… [--out <dir>] [--templates <dir>]`: renders each webhook (a raw
 * body or a captured `{headers, body}`) and writes <name>.html and <name>.txt.
 */
function preview(args: string[]): void {
  // npm runs scripts in the package folder; INIT_CWD is where the person typed the command.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const files: string[] = [];
  let outDir = 'email-preview';
  let templatesDir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = args[++i] ?? outDir;
    else if (args[i] === '--templates') templatesDir = args[++i];
    else files.push(args[i]);
  }
  if (files.length === 0) {
    throw new Error('usage: npm run preview:email -- <webhook.json>… [--out <dir>] [--templates <dir>]');
  }
  const renderer = createRenderer({ templatesDir: templatesDir && resolve(cwd, templatesDir) });
  const out = resolve(cwd, outDir);
  mkdirSync(out, { recursive: true });
  for (const file of files) {
    const body = webhookBodyOf(JSON.parse(readFileSync(resolve(cwd, file), 'utf8')));
    const mail = renderer.render(payloadFromWebhook(body));
    const stem = join(out, basename(file).replace(/\.json$/i, ''));
    writeFileSync(`${stem}.html`, mail.html);
    writeFileSync(`${stem}.txt`, `Subject: ${mail.subject}\n\n${mail.text}`);
    process.stdout.write(`${mail.subject}\n  ${stem}.html\n  ${stem}.txt\n`);
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'preview') {
  try {
    preview(rest);
  } catch (err) {
    process.stderr.write(`preview:email: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
} else {
  void runChannelService(emailService);
}
