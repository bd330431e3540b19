import { useDirectoryCli } from '../support/cli';

/** One DingTalk robot in the config; obvious fakes: only the variable names are ever written down. */
function withRobot(tree: Record<string, unknown>): void {
  tree.robots = [{ name: 'ops-room', type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}', mentions: { mobiles: ['+8613800000009'] } }];
}

describe('alertctl robot, and user --chat-id (real Redis)', () => {
  const cli = useDirectoryCli(withRobot, ['email', 'sms', 'chat']);

  it('lists the configuration\'s robots, phones masked; set creates and edits only the fields given', async () => {
    const list = await cli.setup.run(['robot', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('Redis has no directory yet');
    expect(list.stdout).toMatch(/ops-room\s+dingtalk\s+\$\{CHAT_OPS_WEBHOOK\}\s+-\s+\+86138\*\*\*\*0009/);
    expect(list.stdout).not.toContain('+8613800000009');

    const created = await cli.setup.run(['robot', 'set', 'db-room', '--type', 'feishu', '--webhook', '${CHAT_DB_WEBHOOK}', '--secret', '${CHAT_DB_SECRET}', '--mention-user', 'ou_fake1', '--mention-all', 'false']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe('created robot db-room (directory version 1)\n');
    expect((await cli.store.read())!.doc.robots).toEqual([
      { name: 'ops-room', type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}', mentions: { mobiles: ['+8613800000009'] } },
      { name: 'db-room', type: 'feishu', webhookUrl: '${CHAT_DB_WEBHOOK}', secret: '${CHAT_DB_SECRET}', mentions: { userIds: ['ou_fake1'], all: false } },
    ]);

    const updated = await cli.setup.run(['robot', 'set', 'db-room', '--secret', '', '--mention-mobile', '+8613800000008']);
    expect(updated.stdout).toBe('updated robot db-room (directory version 2)\n');
    expect((await cli.store.read())!.doc.robots![1]).toEqual({
      name: 'db-room',
      type: 'feishu',
      webhookUrl: '${CHAT_DB_WEBHOOK}',
      mentions: { userIds: ['ou_fake1'], all: false, mobiles: ['+8613800000008'] },
    });
    const show = await cli.setup.run(['robot', 'show', 'db-room', '--json']);
    expect(JSON.parse(show.stdout).mentions.mobiles).toEqual(['+86138****0008']);
    expect((await cli.setup.run(['directory', 'show'])).stdout).toContain('2 users, 2 robots, 0 routes, 0 schedules, mandatory: group:ops');
  });

  it('refuses a literal webhook, a robot without type or webhook, and deleting a robot a route names', async () => {
    const literal = await cli.setup.run(['robot', 'set', 'leaky', '--type', 'wecom', '--webhook', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=fake-key-0001']);
    expect(literal.code).toBe(1);
    expect(literal.stderr).toContain('robot "leaky": webhookUrl: must be exactly one ${NAME} reference to an environment variable of notifier-chat');
    expect(literal.stderr).not.toContain('fake-key-0001');
    const bare = await cli.setup.run(['robot', 'set', 'bare']);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/robot "bare": type: is required.*robot "bare": webhookUrl: is required/);
    expect((await cli.setup.run(['robot', 'set', 'x', '--mention-all', 'yes'])).code).toBe(2);
    expect(await cli.store.read()).toBeNull();

    expect((await cli.setup.run(['route', 'set', 'to-chat', '--matcher', 'team="db"', '--notify', 'robot:ops-room'])).code).toBe(0);
    const inUse = await cli.setup.run(['robot', 'delete', 'ops-room']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('route "to-chat": notify[0]: unknown robot "ops-room" (not in robots)');
    expect((await cli.setup.run(['robot', 'delete', 'ghost'])).stderr).toContain('no robot "ghost"');
    expect((await cli.setup.run(['route', 'delete', 'to-chat'])).code).toBe(0);
    expect((await cli.setup.run(['robot', 'delete', 'ops-room'])).stdout).toMatch(/^deleted robot ops-room \(directory version \d+\)\n$/);
    expect((await cli.store.read())!.doc.robots ?? []).toEqual([]);
  });

  it('route test shows robots on the chat channel, unmasked, and robots named in escalation tiers', async () => {
    await cli.setup.run(['route', 'set', 'to-chat', '--matcher', 'team="db"', '--notify', 'robot:ops-room', '--escalate', '15m=alice,robot:ops-room']);
    const r = await cli.setup.run(['route', 'test', '--labels', 'team=db,severity=critical']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/chat\s+robot:ops-room\s+ops-room\s+route:to-chat/);
    // One tier naming a person and a robot: the SMS to the person, the robot's own message.
    expect(r.stdout).toContain('after 15m: route to-chat tier 1 → alice: alice (+86138****0001)\n');
    expect(r.stdout).toContain('after 15m: route to-chat tier 1 → robot:ops-room: robot ops-room\n');
    const none = await cli.setup.run(['route', 'test', '--labels', 'team=web']);
    expect(none.stdout).toContain('chat: nothing sent — nobody reachable on this channel');
  });

  it('sets and removes a user\'s id per chat provider; an unknown provider is refused by the directory rules', async () => {
    expect((await cli.setup.run(['user', 'set', 'alice', '--chat-id', 'dingtalk=manager1234', '--chat-id', 'feishu=ou_fake'])).code).toBe(0);
    expect((await cli.store.read())!.doc.users.find((u) => u.name === 'alice')!.chatIds).toEqual({ dingtalk: 'manager1234', feishu: 'ou_fake' });
    expect((await cli.setup.run(['user', 'set', 'alice', '--chat-id', 'dingtalk='])).code).toBe(0);
    expect((await cli.store.read())!.doc.users.find((u) => u.name === 'alice')!.chatIds).toEqual({ feishu: 'ou_fake' });
    const slack = await cli.setup.run(['user', 'set', 'alice', '--chat-id', 'slack=U123']);
    expect(slack.code).toBe(1);
    expect(slack.stderr).toContain('user "alice": chatIds.slack: is not a known key (typo?)');
    expect((await cli.setup.run(['user', 'set', 'alice', '--chat-id', 'manager1234'])).code).toBe(2);
  });
});
