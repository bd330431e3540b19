import { startFakeDingtalk, startFakeFeishu, startFakeWecom, type FakeRobotServer } from '@alertgw/testkit';
import { dingtalkSign } from '../src/providers/dingtalk';
import { feishuSign as feishuSignature } from '../src/providers/feishu';

// The look-alikes refuse what the real services refuse, with their errcodes: otherwise the
// channel's tests would pass against a lenient fake and fail against the real thing.
const post = async (url: string, body: unknown): Promise<{ errcode?: number; code?: number }> =>
  (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ errcode?: number; code?: number }>;

describe('robot fakes check what the real ones check', () => {
  const fakes: FakeRobotServer[] = [];
  afterAll(() => Promise.all(fakes.map((f) => f.close())));
  const started = async (start: () => Promise<FakeRobotServer>) => {
    const f = await start();
    fakes.push(f);
    return f;
  };

  it('WeCom: unknown key 93000, markdown over 4096 bytes 40058, 21st message in a minute 45009', async () => {
    const f = await started(startFakeWecom);
    f.robot('k');
    const url = `${f.url}/cgi-bin/webhook/send?key=k`;
    expect((await post(`${f.url}/cgi-bin/webhook/send?key=other`, { msgtype: 'markdown', markdown: { content: 'x' } })).errcode).toBe(93000);
    expect((await post(url, { msgtype: 'markdown', markdown: { content: '告'.repeat(1366) } })).errcode).toBe(40058); // 4098 bytes
    expect((await post(url, { msgtype: 'markdown', markdown: { content: '告'.repeat(1365) } })).errcode).toBe(0); // 4095 bytes
    for (let i = 0; i < 19; i++) expect((await post(url, { msgtype: 'markdown', markdown: { content: `m${i}` } })).errcode).toBe(0);
    expect((await post(url, { msgtype: 'markdown', markdown: { content: 'one too many' } })).errcode).toBe(45009);
  });

  it('DingTalk: signature (310000 on a wrong one), body over 20000 bytes 460101, bad schema 40035', async () => {
    const f = await started(startFakeDingtalk);
    f.robot('t', 'SECright');
    const signed = (secret: string) => {
      const ts = Date.now();
      return `${f.url}/robot/send?access_token=t&timestamp=${ts}&sign=${encodeURIComponent(dingtalkSign(secret, ts))}`;
    };
    const md = (text: string) => ({ msgtype: 'markdown', markdown: { title: 't', text } });
    expect((await post(signed('SECwrong'), md('x'))).errcode).toBe(310000);
    expect((await post(`${f.url}/robot/send?access_token=t`, md('x'))).errcode).toBe(310000);
    expect((await post(signed('SECright'), md('x'.repeat(20_001)))).errcode).toBe(460101);
    expect((await post(signed('SECright'), { msgtype: 'markdown', markdown: { text: 'no title' } })).errcode).toBe(40035);
    expect((await post(signed('SECright'), md('ok'))).errcode).toBe(0);
  });

  it('Feishu: signature in the body (19021 on a wrong one or an old timestamp), card schema 9499', async () => {
    const f = await started(startFakeFeishu);
    f.robot('h', 'right');
    const url = `${f.url}/open-apis/bot/v2/hook/h`;
    const card = { msg_type: 'interactive', card: { header: { title: { tag: 'plain_text', content: 't' } }, elements: [] } };
    const ts = Math.floor(Date.now() / 1000);
    expect((await post(url, { timestamp: String(ts), sign: feishuSignature('wrong', ts), ...card })).code).toBe(19021);
    expect((await post(url, { timestamp: String(ts - 7200), sign: feishuSignature('right', ts - 7200), ...card })).code).toBe(19021);
    expect((await post(url, { timestamp: String(ts), sign: feishuSignature('right', ts), msg_type: 'interactive', card: {} })).code).toBe(9499);
    expect((await post(url, { timestamp: String(ts), sign: feishuSignature('right', ts), ...card })).code).toBe(0);
  });
});
