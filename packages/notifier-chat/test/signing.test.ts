import { dingtalk, dingtalkSign } from '../src/providers/dingtalk';
import { feishu, feishuSign } from '../src/providers/feishu';

// Expected values computed with the providers' own Python samples (DingTalk: hmac.new(secret,
// f"{ts}\n{secret}", sha256); Feishu: hmac.new(f"{ts}\n{secret}", b"", sha256)), base64.
describe('robot signatures as the providers document them', () => {
  it('DingTalk: HMAC-SHA256 keyed with the secret over timestamp(ms)\\nsecret, URL-encoded into the query', () => {
    expect(dingtalkSign('SECabc', 1599360473)).toBe('9c8jyYUaQyFODUeeixjj9FQWXRaQX4xNfPA0XiY/+qA=');
    const { url } = dingtalk.sign('https://oapi.dingtalk.com/robot/send?access_token=t', {}, 'SECabc', 1599360473);
    expect(url).toBe('https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1599360473&sign=9c8jyYUaQyFODUeeixjj9FQWXRaQX4xNfPA0XiY%2F%2BqA%3D');
  });

  it('Feishu: timestamp(s)\\nsecret as the HMAC-SHA256 key over an empty message, in the body', () => {
    expect(feishuSign('SECabc', 1599360473)).toBe('KjJCRpeZcpDq6nFA4wlSAm5ZsE3Y8HuB1O1Sgv2Y9xA=');
    const { url, body } = feishu.sign('https://open.feishu.cn/open-apis/bot/v2/hook/h', { msg_type: 'interactive' }, 'SECabc', 1599360473_999);
    expect(url).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/h');
    expect(body).toEqual({ timestamp: '1599360473', sign: 'KjJCRpeZcpDq6nFA4wlSAm5ZsE3Y8HuB1O1Sgv2Y9xA=', msg_type: 'interactive' });
  });

  it('an unsigned robot (no secret) is posted as it is', () => {
    expect(dingtalk.sign('https://x/robot/send?access_token=t', { a: 1 }, undefined, 1)).toEqual({ url: 'https://x/robot/send?access_token=t', body: { a: 1 } });
  });
});
