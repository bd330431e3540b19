import { createHmac, timingSafeEqual } from 'node:crypto';
import { startFakeRobotServer, type FakeRobotServer } from './fake-robot-server';

const HOOK = '/open-apis/bot/v2/hook/';

/** A Feishu custom-bot look-alike: POST /open-apis/bot/v2/hook/<token>, signature fields in the body. */
export function startFakeFeishu(): Promise<FakeRobotServer> {
  return startFakeRobotServer({
    token: (url) => (url.pathname.startsWith(HOOK) && url.pathname.length > HOOK.length ? url.pathname.slice(HOOK.length) : undefined),
    // Recomputed as Feishu documents it: HMAC-SHA256 keyed with timestamp + "\n" + secret over an empty message, base64; seconds within an hour.
    checkSignature: ({ body }, secret, now) => {
      const ts = String(body?.timestamp ?? '');
      const sign = String(body?.sign ?? '');
      if (!/^\d+$/.test(ts) || Math.abs(now / 1000 - Number(ts)) > 3600) return 19021;
      const want = Buffer.from(createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64'));
      const got = Buffer.from(sign);
      return got.length === want.length && timingSafeEqual(got, want) ? 0 : 19021;
    },
    checkBody: (body, bytes) => {
      if (bytes > 20 * 1024 || !body || typeof body !== 'object') return 9499;
      if (body.msg_type === 'interactive') {
        const card = body.card;
        const ok = card && typeof card === 'object' && Array.isArray(card.elements) && card.header?.title?.tag === 'plain_text' && typeof card.header.title.content === 'string';
        return ok ? 0 : 9499;
      }
      return body.msg_type === 'text' && typeof body.content?.text === 'string' ? 0 : 9499;
    },
    codes: { unknownToken: 19001, throttled: 9499 },
    answer: (code, message) => ({ code, msg: code === 0 ? 'success' : message, data: {} }),
    limits: [
      { max: 100, windowMs: 60_000 },
      { max: 5, windowMs: 1_000 },
    ],
  });
}
