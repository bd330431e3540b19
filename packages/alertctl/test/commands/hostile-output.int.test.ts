import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendTimelines } from '@alertgw/shared';
import { testAlertMessage } from '../../src/test-alert';
import { TEST_TOKEN } from '../support/cli';
import { useCliWithIngest } from '../support/ingest';
import { deadLetter, payload, queueOf } from '../support/tasks';

/** Set the window title, clear the screen, write the clipboard, 8-bit CSI, a bidi override. */
const HOSTILE = 'T\x1b]0;owned\x07 C\x1b[2J K\x1b]52;c;ZWNobyBvd25lZA==\x07 S\x9b31m B\u202etxt.exe D\x7f';
/** What a terminal would act on: nothing of it may reach stdout or stderr. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
/** How HOSTILE shows once made safe, in one piece (JSON output escapes ESC and BEL itself). */
const SHOWN = /\\x1b\]0;owned\\x07 C\\x1b\[2J K\\x1b\]52;c;ZWNobyBvd25lZA==\\x07 S\\x9b31m B\\u202etxt\.exe D\\x7f/;

describe('alertctl output of hostile text (real ingest, real Redis)', () => {
  const t = useCliWithIngest();

  const expectSafe = (out: { stdout: string; stderr: string }) => {
    expect(out.stdout).not.toMatch(RAW_CONTROL);
    expect(out.stderr).not.toMatch(RAW_CONTROL);
  };

  it('timeline shows labels, annotations, comments and user names with their controls escaped', async () => {
    const message = testAlertMessage(
      { labels: { alertname: `Disk${HOSTILE}`, severity: 'critical', note: HOSTILE }, startsAt: new Date(), receiver: 'alertctl', hostname: 'h' },
      'firing',
    );
    message.alerts[0].annotations = { summary: HOSTILE, description: HOSTILE };
    const res = await fetch(`${t.ingest.url}/webhook/alertmanager`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TEST_TOKEN}` },
      body: JSON.stringify(message),
    });
    expect(res.status).toBe(200);
    const fp = message.alerts[0].fingerprint;
    await appendTimelines(t.redis, t.setup.prefix, [fp], { at: new Date().toISOString(), type: 'comment', by: `mallory${HOSTILE}`, comment: HOSTILE });
    await appendTimelines(t.redis, t.setup.prefix, [fp], { at: new Date().toISOString(), type: 'ack', by: HOSTILE, comment: HOSTILE });

    const text = await t.setup.run(['timeline', fp]);
    expect(text.code).toBe(0);
    expectSafe(text);
    expect(text.stdout).toMatch(SHOWN);
    expect(text.stdout).toContain('note=T\\x1b]0;owned');
    const json = await t.setup.run(['timeline', fp, '--json']);
    expect(json.code).toBe(0);
    expectSafe(json);
    // JSON escapes C0 itself; the boundary catches what JSON lets through (C1, DEL, bidi).
    expect(json.stdout).toContain('S\\x9b31m B\\u202etxt.exe D\\x7f');
  });

  it('send-test prints a hostile label it was given, and a hostile error answer, escaped', async () => {
    const ok = await t.setup.run(['send-test', '--url', t.ingest.url, '--firing-only', '--label', `note=${HOSTILE}`, '--receiver', HOSTILE]);
    expectSafe(ok);
    const server: Server = createServer((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: HOSTILE }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const failed = await t.setup.run(['send-test', '--url', `http://127.0.0.1:${port}`, '--firing-only']);
      expect(failed.code).toBe(1);
      expectSafe(failed);
      expect(failed.stderr).toMatch(SHOWN);
    } finally {
      server.close();
    }
  });

  it('queues shows a hostile dead letter escaped; usage errors echo hostile arguments escaped', async () => {
    await deadLetter(queueOf(t.redis, t.setup.prefix, 'email'), payload(HOSTILE, [{ name: 'alice', address: 'alice@example.com' }]), {
      'alice@example.com': { status: 'failed', message: HOSTILE },
    });
    const queues = await t.setup.run(['queues']);
    expect(queues.code).toBe(0);
    expectSafe(queues);
    expect(queues.stdout).toContain('T\\x1b]0;owned\\x07');
    for (const argv of [[HOSTILE], ['user', 'show', HOSTILE], ['timeline', HOSTILE], ['user', 'set', HOSTILE, '--phone', HOSTILE]]) {
      const r = await t.setup.run(argv);
      expect(r.code).not.toBe(0);
      expectSafe(r);
      expect(r.stderr).toContain('\\x1b');
    }
  });
});
