import { createHmac, timingSafeEqual } from 'node:crypto';
import { startFakeRobotServer, type FakeRobotServer } from './fake-robot-server';

/** A DingTalk custom-robot look-alike: POST /robot/send?access_token=…[&timestamp=&sign=]. */
export function startFakeDingtalk(): Promise<FakeRobotServer> {
  return startFakeRobotServer({
    token: (url) => (url.pathname === '/robot/send' ? url.searchParams.get('access_token') ?? undefined : undefined),
    // Recomputed as DingTalk documents it: base64(HMAC-SHA256(secret, timestamp + "\n" + secret)), timestamp in ms within an hour.
    checkSignature: ({ query }, secret, now) => {
      const ts = query.get('timestamp');
      const sign = query.get('sign');
      if (!ts || !sign || Math.abs(now - Number(ts)) > 3_600_000) return 310000;
      const want = Buffer.from(createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));
      const got = Buffer.from(sign);
      return got.length === want.length && timingSafeEqual(got, want) ? 0 : 310000;
    },
    checkBody: (body, bytes) => {
      if (bytes > 20_000) return 460101;
      if (!body || typeof body !== 'object') return 40035;
      if (body.msgtype === 'markdown') {
        const m = body.markdown;
        if (!m || typeof m.title !== 'string' || typeof m.text !== 'string' || !m.text) return 40035;
      } else if (body.msgtype !== 'text' && body.msgtype !== 'actionCard') return 400105;
      if (body.at !== undefined && (typeof body.at !== 'object' || (body.at.atMobiles !== undefined && !Array.isArray(body.at.atMobiles)))) return 40035;
      return 0;
    },
    codes: { unknownToken: 300001, throttled: 130101 },
    answer: (code, message) => ({ errcode: code, errmsg: code === 0 ? 'ok' : message }),
    limits: [{ max: 20, windowMs: 60_000 }],
  });
}
