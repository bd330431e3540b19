import { mentionsFor } from '../src/mentions';

describe('who a robot message mentions', () => {
  const robot = { name: 'ops', type: 'feishu' as const, webhookUrl: '${URL}', mentions: { userIds: ['ou_lead', 'bad id" onclick'], mobiles: ['+8613800000009', '12345'], all: false } };

  it('the robot\'s own, plus each owner by their id at this provider, else by phone; malformed ids and numbers are left out', () => {
    const m = mentionsFor(robot, [
      { name: 'zhang', phone: '+8613800000001', chatIds: { feishu: 'ou_zhang', dingtalk: 'ding-zhang' } },
      { name: 'li', phone: '+8613800000002' },
      { name: 'wang', chatIds: { feishu: '<at id=all>' } },
      { name: 'zhao', phone: 'not-a-phone' },
    ]);
    expect(m).toEqual({ userIds: ['ou_lead', 'ou_zhang'], mobiles: ['+8613800000009', '+8613800000002'], all: false });
  });

  it('uses the id of the robot\'s own provider', () => {
    expect(mentionsFor({ ...robot, type: 'dingtalk', mentions: undefined }, [{ name: 'zhang', chatIds: { feishu: 'ou_zhang', dingtalk: 'ding-zhang' } }]).userIds).toEqual(['ding-zhang']);
  });
});
