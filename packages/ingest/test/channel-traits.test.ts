import { channelTraits } from '../src/channel-traits';

describe('channelTraits', () => {
  it('gives email its configured Cc and the others no Cc at all', () => {
    const config = { email: { cc: ['oncall@example.com'] } } as Parameters<NonNullable<ReturnType<typeof channelTraits>['cc']>>[0];
    expect(channelTraits('email').cc?.(config)).toEqual(['oncall@example.com']);
    expect(channelTraits('sms').cc).toBeUndefined();
    // Channel names come from config: Object.prototype's names are channels without traits.
    expect(channelTraits('constructor')).toEqual({});
  });
});
