import { classifyError } from '@alertgw/shared';
import { classifyChatAnswer } from '../src/classify-chat-answer';
import { PROVIDERS } from '../src/providers/index';

const verdict = (type: keyof typeof PROVIDERS, reply: Parameters<typeof classifyChatAnswer>[1]) => {
  const err = classifyChatAnswer(PROVIDERS[type], reply);
  return err === undefined ? 'ok' : classifyError(err);
};

describe('chat answers judged by errcode, not HTTP status', () => {
  it('every code in every table links to the provider\'s documentation', () => {
    for (const p of Object.values(PROVIDERS)) {
      for (const [code, e] of Object.entries(p.errcodes)) {
        expect(`${p.type} ${code} ${e.doc}`).toMatch(/^\S+ -?\d+ https:\/\/(developer\.work\.weixin\.qq\.com|open\.dingtalk\.com|open\.feishu\.cn)\/document\//);
      }
    }
  });

  it('HTTP 200 with errcode 0 is accepted; HTTP 200 with a non-zero errcode is a failure', () => {
    expect(verdict('wecom', { httpStatus: 200, answer: { code: 0, message: 'ok' } })).toBe('ok');
    expect(verdict('wecom', { httpStatus: 200, answer: { code: 60020, message: 'not allow to access from your ip' } })).toEqual({ retryable: false, code: 'wecom-60020', configError: true });
    expect(verdict('feishu', { httpStatus: 200, answer: { code: 9499, message: 'too many request' } })).toMatchObject({ retryable: true, code: 'feishu-9499' });
  });

  it('throttling is transient and carries the provider\'s throttle time; content and security refusals are permanent', () => {
    expect(verdict('dingtalk', { httpStatus: 200, answer: { code: 130101, message: 'send too fast' } })).toEqual({ retryable: true, code: 'dingtalk-130101', retryAfterMs: 600_000 });
    expect(verdict('wecom', { httpStatus: 200, answer: { code: 45009, message: 'api freq out of limit' } })).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(verdict('wecom', { httpStatus: 200, answer: { code: 40058, message: 'invalid param' } })).toEqual({ retryable: false, code: 'wecom-40058' });
    expect(verdict('dingtalk', { httpStatus: 200, answer: { code: 310000, message: 'keywords not in content' } })).toMatchObject({ retryable: false, configError: true });
    for (const code of [19021, 19022, 19024]) expect(verdict('feishu', { httpStatus: 200, answer: { code, message: '' } })).toMatchObject({ retryable: false, configError: true });
  });

  it('unknown codes are permanent; 5xx, 429 and non-JSON 2xx are transient; a Retry-After is kept', () => {
    expect(verdict('dingtalk', { httpStatus: 200, answer: { code: 123456, message: '?' } })).toEqual({ retryable: false, code: 'dingtalk-123456' });
    expect(verdict('feishu', { httpStatus: 502 })).toEqual({ retryable: true, code: 'feishu-http-502' });
    expect(verdict('feishu', { httpStatus: 429, retryAfterMs: 52_000 })).toEqual({ retryable: true, code: 'feishu-http-429', retryAfterMs: 52_000 });
    expect(verdict('wecom', { httpStatus: 200 })).toMatchObject({ retryable: true, code: 'wecom-no-errcode' });
    expect(verdict('wecom', { httpStatus: 404 })).toEqual({ retryable: false, code: 'wecom-http-404' });
  });
});
