import { freePort } from '@alertgw/testkit';
import { Capture } from '../support/cli';
import { useCliWithIngest } from '../support/ingest';

describe('alertctl send-test against a real ingest', () => {
  const t = useCliWithIngest();

  const fingerprintIn = (stdout: string) => /fingerprint ([0-9a-f]{16})/.exec(stdout)![1];

  it('sends a firing and then a resolved notification; the timeline shows both', async () => {
    const r = await t.setup.run(['send-test', '--url', t.ingest.url, '--resolve-after', '0', '--severity', 'critical']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const fp = fingerprintIn(r.stdout);
    expect(r.stdout).toMatch(/^firing {4}AlertgwTest \(fingerprint [0-9a-f]{16}\) accepted by http:\/\/127\.0\.0\.1:\d+$/m);
    // alice and bob by email (firing, then resolved); only alice has a phone; resolved SMS are off by default.
    expect(r.stdout).toMatch(/^ {10}email: task \d+, 2 recipients$/m);
    expect(r.stdout).toMatch(/^ {10}sms: task \d+, 1 recipient$/m);
    expect(r.stdout).toMatch(/^resolved {2}AlertgwTest accepted$/m);
    expect(r.stdout).toMatch(/^ {10}sms: skipped \(.+\)$/m);
    expect(r.stdout).toContain(`timeline: alertctl timeline ${fp}`);

    const email = await t.ingest.queues.get('email')!.list('pending');
    expect(email.map((t) => t.payload.status)).toEqual(['firing', 'resolved']);
    expect(email[0].payload.alerts[0]).toEqual(expect.objectContaining({ fingerprint: fp, labels: expect.objectContaining({ severity: 'critical' }) }));
    expect(email[0].payload.commonAnnotations.summary).toBe('Test alert from alertctl on test-host');

    const timeline = await t.setup.run(['timeline', fp]);
    expect(timeline.stdout).toMatch(/^AlertgwTest {2}RESOLVED {2}severity=critical/);
    expect(timeline.stdout.match(/received {2,}(firing|resolved)/g)).toEqual([expect.stringContaining('firing'), expect.stringContaining('resolved')]);
  });

  it('finds ingest from the config (ingest.listen, 0.0.0.0 → 127.0.0.1) and the token in $INGEST_TOKEN', async () => {
    const port = new URL(t.ingest.url).port;
    const r = await t.setup.run(['send-test', '--firing-only', '--label', 'team=db'], { env: { INGEST_PORT: port } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`accepted by http://127.0.0.1:${port}`);
    const [task] = await t.ingest.queues.get('email')!.list('pending');
    expect(task.payload.status).toBe('firing');
    expect(task.payload.alerts[0].labels.team).toBe('db');
    // $INGEST_URL wins over the config.
    const viaEnv = await t.setup.run(['send-test', '--firing-only'], { env: { INGEST_PORT: '1', INGEST_URL: t.ingest.url } });
    expect(viaEnv.code).toBe(0);
  });

  it('resolves at once when interrupted during the wait', async () => {
    const interrupt = new AbortController();
    const stdout = new Capture({ onWrite: (chunk) => chunk.startsWith('resolving in') && interrupt.abort() });
    const started = Date.now();
    const r = await t.setup.run(['send-test', '--url', t.ingest.url, '--resolve-after', '1h'], { stdout, signal: interrupt.signal });
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stdout).toContain('resolving in 3600s (Ctrl-C resolves now)…');
    expect((await t.ingest.queues.get('email')!.list('pending')).map((t) => t.payload.status)).toEqual(['firing', 'resolved']);
  });

  it('says why ingest refused or could not be reached, in one line with exit 1', async () => {
    const wrong = await t.setup.run(['send-test', '--url', t.ingest.url, '--token', 'nope', '--firing-only']);
    expect(wrong).toEqual({
      code: 1,
      stdout: '',
      stderr: 'alertctl send-test: ingest refused the credentials (401): pass --token or set INGEST_TOKEN to one of ingest.auth.bearerTokens\n',
    });
    const none = await t.setup.run(['send-test', '--url', t.ingest.url, '--firing-only'], { env: { INGEST_TOKEN: '' } });
    expect(none.stderr).toContain('(401)');

    const port = await freePort();
    const down = await t.setup.run(['send-test', '--url', `http://127.0.0.1:${port}`, '--firing-only']);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(
      `alertctl send-test: cannot reach ingest at http://127.0.0.1:${port}/webhook/alertmanager: ECONNREFUSED (is it running? npm start, or docker compose up)\n`,
    );
    expect(await t.ingest.queues.get('email')!.list('pending')).toEqual([]);
  });
});
