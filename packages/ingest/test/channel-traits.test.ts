import { channelTraits } from '../src/channel-traits';

describe('channelTraits', () => {
  it('gives email its configured Cc and the others no Cc at all', () => {
    const config = { email: { cc: ['oncall@example.com'] } } as Parameters<NonNullable<ReturnType<typeof channelTraits>['cc']>>[0];
    expect(channelTraits('email').cc?.(config)).toEqual(['oncall@example.com']);
    expect(channelTraits('sms').cc).toBeUndefined();
    // Channel names come from config: Object.prototype's names are channels without traits.
    expect(channelTraits('constructor')).toEqual({});
  });

  it('gives chat the owners, as a message mentions them: provider ids where the directory has them, else the phone', () => {
    const owners = channelTraits('chat').owners!([
      { name: 'alice', phone: '+8613800000001', groups: ['ops'], chatIds: { dingtalk: 'ding-alice' }, email: 'alice@example.com' },
      { name: 'bob', groups: [], chatIds: {} },
    ]);
    expect(owners).toEqual([{ name: 'alice', phone: '+8613800000001', chatIds: { dingtalk: 'ding-alice' } }, { name: 'bob' }]);
    expect(channelTraits('email').owners).toBeUndefined();
  });
});
