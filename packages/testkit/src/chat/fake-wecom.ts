import { startFakeRobotServer, type FakeRobotServer } from './fake-robot-server';

/** A WeCom group-robot look-alike: POST /cgi-bin/webhook/send?key=… (no signature; the key is the credential). */
export function startFakeWecom(): Promise<FakeRobotServer> {
  return startFakeRobotServer({
    token: (url) => (url.pathname === '/cgi-bin/webhook/send' ? url.searchParams.get('key') ?? undefined : undefined),
    checkSignature: () => 0,
    checkBody: (body) => {
      if (!body || typeof body !== 'object') return 40035;
      if (body.msgtype === 'markdown') {
        const content = body.markdown?.content;
        if (typeof content !== 'string' || !content) return 44004;
        // The real cap: markdown content at most 4096 bytes in UTF-8.
        return Buffer.byteLength(content, 'utf8') > 4096 ? 40058 : 0;
      }
      return body.msgtype === 'text' ? 0 : 40008;
    },
    codes: { unknownToken: 93000, throttled: 45009 },
    answer: (code, message) => ({ errcode: code, errmsg: code === 0 ? 'ok' : message }),
    limits: [{ max: 20, windowMs: 60_000 }],
  });
}
