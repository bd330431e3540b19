import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConfig } from '../../src/config/build-config';
import { GatewayError } from '../../src/errors';

const KEY = 'a-real-ack-link-key-9f8e7d6c5b4a39281706';

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    buildConfig(raw, env);
  } catch (err) {
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    return (err as GatewayError).message.split('\n').slice(1).map((l) => l.trim());
  }
  return [];
}

const withLinks = (publicUrl: string, key = '${ACK_LINK_KEY}') => ({ ingest: { publicUrl, ackLinks: { key } } });

describe('ingest.publicUrl and ingest.ackLinks', () => {
  test('off by default, with a 7-day lifetime', () => {
    const cfg = buildConfig({}, {});
    expect(cfg.ingest.publicUrl).toBe('');
    expect(cfg.ingest.ackLinks).toEqual({ key: '', lifetimeMs: 604_800_000 });
  });

  test('the key comes from ACK_LINK_KEY or ACK_LINK_KEY_FILE', () => {
    expect(buildConfig(withLinks('https://alerts.example.com'), { ACK_LINK_KEY: KEY }).ingest.ackLinks.key).toBe(KEY);
    const dir = mkdtempSync(join(tmpdir(), 'ack-key-'));
    try {
      writeFileSync(join(dir, 'key'), `${KEY}\n`);
      expect(buildConfig(withLinks('https://alerts.example.com/gw'), { ACK_LINK_KEY_FILE: join(dir, 'key') }).ingest.ackLinks.key).toBe(KEY);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a literal, placeholder, short or missing key is refused, never echoed', () => {
    const literal = problems(withLinks('https://alerts.example.com', KEY));
    expect(literal).toEqual(['ingest.ackLinks.key: must come from an environment variable (${NAME} or NAME_FILE), not the file']);
    expect(literal.join('\n')).not.toContain(KEY);
    expect(problems(withLinks('https://alerts.example.com'), { ACK_LINK_KEY: 'change-me-ack-link-key-0123456789abcdef' })).toEqual([
      expect.stringMatching(/^ingest\.ackLinks\.key: is a placeholder from the documentation/),
    ]);
    const short = problems(withLinks('https://alerts.example.com'), { ACK_LINK_KEY: 'short-key-123' });
    expect(short).toEqual(['ingest.ackLinks.key: must be at least 32 characters; e.g. openssl rand -base64 48']);
    expect(problems(withLinks('https://alerts.example.com', '${ACK_LINK_KEY:-}'))).toEqual([
      expect.stringMatching(/^ingest\.ackLinks\.key: is required with ingest\.publicUrl: set it from the environment/),
    ]);
  });

  test.each([
    ['alerts.example.com', 'must be an absolute URL'],
    ['ftp://alerts.example.com', 'must be an http or https URL'],
    ['https://u:p@alerts.example.com', 'must not carry credentials'],
    ['https://alerts.example.com/?x=1', 'must not have a query or fragment'],
  ])('publicUrl %s is refused', (publicUrl, why) => {
    expect(problems(withLinks(publicUrl), { ACK_LINK_KEY: KEY })).toEqual([expect.stringContaining(`ingest.publicUrl: ${why}`)]);
  });
});
