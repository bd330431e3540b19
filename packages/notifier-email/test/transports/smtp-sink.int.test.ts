import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { waitFor } from '@alertgw/testkit';
import { createEmailChannel } from '../../src/email-channel';
import { createRenderer } from '../../src/render/create-renderer';
import { createSmtpTransport } from '../../src/transports/smtp';
import { startSmtpSink, type SmtpSink } from '../../src/transports/smtp-sink';
import { claimedTask } from '../support/claimed-task';
import { payloadFromFixture } from '../support/fixtures';

describe('local SMTP sink', () => {
  let dir: string;
  let sink: SmtpSink;
  const logged: Array<Record<string, unknown>> = [];
  beforeEach(async () => {
    dir = join(mkdtempSync(join(tmpdir(), 'alertgw-sink-')), 'mail');
    logged.length = 0;
    sink = await startSmtpSink({ dir, logger: { info: (_m, meta) => logged.push(meta ?? {}) } });
  });
  afterEach(async () => {
    await sink.close();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('receives over real SMTP, writes .eml and .html, logs the path, and overwrites on a retry of the same task', async () => {
    const transport = createSmtpTransport(sink.smtp);
    const channel = createEmailChannel({ transport, renderer: createRenderer(), from: 'Alerts <alerts@example.com>' });
    try {
      const task = claimedTask(payloadFromFixture('mixed-resolved-and-firing.json', ['alice@example.com'], ['lead@example.com']), { id: '5' });
      const outcome = await channel.send(task, ['alice@example.com'], new AbortController().signal);
      await channel.send(task, ['alice@example.com'], new AbortController().signal);
      await waitFor(() => logged.length === 2, 5000, 'two mails stored');

      const files = readdirSync(dir).sort();
      expect(files).toHaveLength(2);
      expect(files[0]).toMatch(/^alertgw\.5\.[0-9a-f]{16}@example\.com\.eml$/);
      expect(files[1]).toMatch(/\.html$/);
      const parsed = await simpleParser(readFileSync(join(dir, files[0])));
      expect(parsed.subject).toBe('[FIRING:1] HighCPU (cluster=prod-bj)');
      expect(parsed.html).toContain('&lt;script&gt;');
      expect(parsed.text).toContain('== FIRING (1) ==');
      expect(readFileSync(join(dir, files[1]), 'utf8')).toBe(parsed.html);
      expect(logged[0].path).toBe(join(dir, files[0]));
      expect(outcome.results['alice@example.com'].status).toBe('delivered');
      expect(outcome.results['alice@example.com'].detail).toMatchObject({ response: expect.stringMatching(/^250 .*queued as alertgw\.5\./) });
      expect(outcome.results['cc:lead@example.com'].status).toBe('delivered');
    } finally {
      transport.close();
    }
  });
});
