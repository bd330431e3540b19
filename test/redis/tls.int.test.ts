import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort, uniquePrefix } from '@alertgw/testkit';
import { makeTestCerts } from './support/make-certs';
import { ALERTCTL_BIN, SERVICE_COUNT, startGatewayStack, waitDelivered, type GatewayStack } from './support/gateway-stack';
import { spawnRedisServer, type ServerProcess } from './support/redis-servers';

const run = promisify(execFile);
/** An obvious fake; the services read it from REDIS_PASSWORD. */
const PASSWORD = 'fake-tls-password-2718';
/** The only name in the server certificate: connecting to 127.0.0.1 works only if servername is sent and checked. */
const SERVER_NAME = 'redis.alertgw.test';

describe('the full path over TLS (rediss://, CA and client certificate made by openssl)', () => {
  let dir: string;
  let server: ServerProcess | undefined;
  let stack: GatewayStack | undefined;

  afterAll(async () => {
    await stack?.stop();
    await server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers mail and SMS through a TLS-only Redis that demands client certificates; a client without the CA is refused', async () => {
    const started = Date.now();
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-tls-'));
    const certs = await makeTestCerts(dir, SERVER_NAME);
    const tlsCli = ['--tls', '--cacert', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey, '--sni', SERVER_NAME];
    // No plain-text port at all: whatever works below went through TLS.
    const port = await freePort();
    server = await spawnRedisServer(
      dir,
      ['--port', '0', '--tls-port', String(port), '--tls-cert-file', certs.serverCert, '--tls-key-file', certs.serverKey,
        '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'yes', '--requirepass', PASSWORD],
      {
        port,
        ready: async (p) => (await run('redis-cli', [...tlsCli, '-p', String(p), '--no-auth-warning', '-a', PASSWORD, 'ping']).catch(() => ({ stdout: '' }))).stdout.includes('PONG'),
      },
    );
    const prefix = uniquePrefix('tls');
    const redis = {
      url: `rediss://127.0.0.1:${port}`,
      password: '${REDIS_PASSWORD}',
      tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, servername: SERVER_NAME },
    };
    stack = await startGatewayStack({ dir, keyPrefix: prefix, redis, env: { REDIS_PASSWORD: PASSWORD } });
    const posted = Date.now();
    expect([await stack.post(1), await stack.post(2)]).toEqual([200, 200]);
    await waitDelivered(stack, [1, 2], 15_000);
    const deliveredMs = Date.now() - posted;

    const cli = await run(process.execPath, [ALERTCTL_BIN, 'queues', '--config', stack.configFile], { env: stack.env });
    expect(cli.stdout).toContain(`Queues in rediss://127.0.0.1:${port}`);
    // The same config without the CA: the server certificate cannot be verified, alertctl says so in one line.
    const noCa = parse(readFileSync(stack.configFile, 'utf8'));
    noCa.redis.tls.ca = '';
    const noCaFile = path.join(dir, 'no-ca.yaml');
    writeFileSync(noCaFile, stringify(noCa));
    const refused = await run(process.execPath, [ALERTCTL_BIN, 'queues', '--config', noCaFile], { env: stack.env }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/^alertctl queues: cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);

    const exits = await stack.stop();
    const output = stack.output();
    stack = undefined;
    expect(exits).toEqual(Array(SERVICE_COUNT).fill(0));
    expect(output.split('\n').filter((l) => l.includes('"message":"using Redis"') && l.includes('"tls":true'))).toHaveLength(SERVICE_COUNT);
    expect(output).not.toContain(PASSWORD);
    process.stdout.write(`redis TLS: delivered 2 probes (mail + 2 SMS each) over rediss:// with client certificates in ${deliveredMs} ms; without the CA refused (${/: ([A-Z_]+) \(/.exec(refused?.stderr ?? '')?.[1]}); total ${Date.now() - started} ms\n`);
  }, 40_000);
});
