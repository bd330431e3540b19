import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { stringify } from 'yaml';
import { loadConfig } from '@alertgw/shared';
import { Capture } from '../../packages/alertctl/test/support/cli';
import { runCli } from '../../packages/alertctl/src/run-cli';
import { createJwtAuth, principalOf } from '../../packages/ingest/src/jwt-auth';

// `alertctl token` and ingest's JWT gate read the same config: what the one mints, the other
// must accept, and a lifetime the gate would refuse must be refused by the CLI up front.

const SECRET = 'token-gate-test-secret-0123456789-abcdefgh';
const env = { ALERTGW_JWT_SECRET: SECRET };

describe('alertctl token against the management API gate', () => {
  let dir: string;
  let configPath: string;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'token-gate-'));
    configPath = path.join(dir, 'config.yaml');
    const jwt = { hs256Secret: '${ALERTGW_JWT_SECRET}', issuer: 'alertgw', audience: 'ops', maxTokenAgeSeconds: 7200 };
    writeFileSync(configPath, stringify({ auth: { jwt } }));
    const { config } = loadConfig({ argv: ['--config', configPath], env });
    const gate = createJwtAuth(config.auth.jwt);
    const app = express();
    app.post('/act', gate.require('operator'), (_req, res) => {
      res.json(principalOf(res));
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/act`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const alertctl = async (argv: string[]) => {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli([...argv, '--config', configPath], { env, cwd: dir, stdout, stderr, hostname: 'test-host' });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };

  it.each(['1h', '2h'])('mints a --ttl %s token the gate accepts', async (ttl) => {
    const r = await alertctl(['token', '--sub', 'alice', '--role', 'operator', '--ttl', ttl]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const res = await fetch(url, { method: 'POST', headers: { Authorization: `Bearer ${r.stdout.trim()}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: 'alice', role: 'operator' });
  });

  it('refuses a --ttl over auth.jwt.maxTokenAgeSeconds with a usage error naming the limit, printing no token', async () => {
    const r = await alertctl(['token', '--sub', 'alice', '--role', 'operator', '--ttl', '3h']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^alertctl token: --ttl 3h is longer than auth\.jwt\.maxTokenAgeSeconds \(7200 s\), the longest lifetime ingest accepts/);
  });
});
