import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { createEmailChannel } from '../../src/email-channel';
import { createRenderer } from '../../src/render/create-renderer';
import { createFileSinkTransport } from '../../src/transports/file-sink';
import { claimedTask } from '../support/claimed-task';
import { payloadFromFixture } from '../support/fixtures';

describe('file sink transport', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'alertgw-sink-')), 'mail');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('writes the mail as .eml and .html, logs the path, and overwrites on a retry of the same task', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const channel = createEmailChannel({
      transport: createFileSinkTransport({ dir, logger: { info: (_m, meta) => logged.push(meta ?? {}) } }),
      renderer: createRenderer(),
      from: 'Alerts <alerts@example.com>',
      cc: ['lead@example.com'],
    });
    const task = claimedTask(payloadFromFixture('mixed-resolved-and-firing.json'), { id: '5' });
    const outcome = await channel.send(task, ['alice@example.com'], new AbortController().signal);
    await channel.send(task, ['alice@example.com'], new AbortController().signal);

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
    expect(outcome.results['cc:lead@example.com'].status).toBe('delivered');
  });
});
