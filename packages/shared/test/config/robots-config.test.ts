import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig } from '../../src/config/build-config';
import { loadConfig } from '../../src/config/load-config';
import { GatewayError } from '../../src/errors';

// Obvious fakes: the variables' values would be a robot's access token and signing secret.
const ENV = {
  CHAT_OPS_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=fake-token-0001',
  CHAT_OPS_SECRET: 'SECfake-secret-0002',
};
const ROBOT = { name: 'ops-room', type: 'dingtalk', webhookUrl: '${CHAT_OPS_WEBHOOK}', secret: '${CHAT_OPS_SECRET}' };

function problems(raw: unknown, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    buildConfig(raw, env);
  } catch (err) {
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    return ((err as GatewayError).details!.problems as Array<{ path: string; message: string }>).map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('robots in the configuration', () => {
  test('webhook URL and secret stay ${NAME} references: the environment is read by notifier-chat, not the loader', () => {
    const cfg = buildConfig({ robots: [ROBOT], routes: [{ name: 'r', matchers: ['team="db"'], notify: ['robot:ops-room'] }] }, ENV);
    expect(cfg.robots).toEqual([ROBOT]);
    expect(JSON.stringify(cfg)).not.toContain('fake-token-0001');
    // Unset variables are no problem here either: notifier-chat decides (dry run) when it sends.
    expect(buildConfig({ robots: [ROBOT] }, {}).robots[0]!.webhookUrl).toBe('${CHAT_OPS_WEBHOOK}');
  });

  test('a loaded YAML file keeps them verbatim too, while other ${...} are substituted', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alertgw-robots-'));
    try {
      const file = path.join(dir, 'config.yaml');
      writeFileSync(
        file,
        [
          'ownerLabel: "${OWNER_LABEL}"',
          'robots:',
          '  - name: ops-room',
          '    type: feishu',
          '    webhookUrl: ${CHAT_OPS_WEBHOOK}',
          '    secret: "${CHAT_OPS_SECRET}"',
          '    mentions: { mobiles: ["+8613800000001"], userIds: [ou_fake], all: false }',
          '',
        ].join('\n'),
      );
      const { config } = loadConfig({ argv: ['--config', file], env: { ...ENV, OWNER_LABEL: 'team-owner' } });
      expect(config.ownerLabel).toBe('team-owner');
      expect(config.robots).toEqual([
        { name: 'ops-room', type: 'feishu', webhookUrl: '${CHAT_OPS_WEBHOOK}', secret: '${CHAT_OPS_SECRET}', mentions: { mobiles: ['+8613800000001'], userIds: ['ou_fake'], all: false } },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a literal URL or secret, a default, or text around the reference is refused without echoing it', () => {
    const lines = problems({
      robots: [
        { ...ROBOT, name: 'literal', webhookUrl: 'https://oapi.dingtalk.com/robot/send?access_token=fake-token-0003' },
        { ...ROBOT, name: 'with-default', secret: '${CHAT_SECRET:-SECfake-secret-0004}' },
        { ...ROBOT, name: 'around', webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${WECOM_KEY}' },
        { ...ROBOT, name: 'escaped', secret: '$${CHAT_OPS_SECRET}' },
      ],
    });
    expect(lines).toEqual([
      'robots[0].webhookUrl: must be exactly one ${NAME} reference to an environment variable of notifier-chat (e.g. "${CHAT_LITERAL_WEBHOOK}"), not the value itself: a robot\'s webhook URL carries its access token',
      'robots[1].secret: must be exactly one ${NAME} reference to an environment variable of notifier-chat (e.g. "${CHAT_WITH_DEFAULT_SECRET}"), not the value itself: a robot\'s secret signs its messages',
      'robots[2].webhookUrl: must be exactly one ${NAME} reference to an environment variable of notifier-chat (e.g. "${CHAT_AROUND_WEBHOOK}"), not the value itself: a robot\'s webhook URL carries its access token',
      'robots[3].secret: must be exactly one ${NAME} reference to an environment variable of notifier-chat (e.g. "${CHAT_ESCAPED_SECRET}"), not the value itself: a robot\'s secret signs its messages',
    ]);
    expect(lines.join('\n')).not.toMatch(/fake-token-0003|fake-secret-0004/);
  });

  test('schema and cross checks: type, names, duplicates, mention phones, unknown robots in routes, mandatory and tiers', () => {
    const lines = problems({
      users: [{ name: 'alice', phone: '+8613800000001', chatIds: { dingtalk: 'has space' } }],
      robots: [
        { ...ROBOT, type: 'slack' },
        { ...ROBOT, name: 'robot:x' },
        { ...ROBOT, name: 'ops-room', mentions: { mobiles: ['13800000001'] } },
        { name: 'no-url', type: 'wecom' },
      ],
      mandatory: ['robot:ghost'],
      routes: [{ name: 'r', matchers: ['team="db"'], notify: ['robot:nobody'], escalate: [{ afterMinutes: 5, notify: ['robot:ops-room', 'robot:gone'] }] }],
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        'users[0].chatIds.dingtalk: must match pattern "^[A-Za-z0-9_.-]{1,64}$"',
        'robots[0].type: must be one of: "wecom", "dingtalk", "feishu"',
        expect.stringMatching(/^robots\[1\]\.name: must match pattern/),
        'robots[2].name: duplicate robot name "ops-room" (first at robots[0])',
        'robots[2].mentions.mobiles[0]: must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)',
        'robots[3].webhookUrl: is required',
        'mandatory[0]: unknown robot "ghost" (not in robots)',
        'routes[0].notify[0]: unknown robot "nobody" (not in robots)',
        'routes[0].escalate[0].notify[1]: unknown robot "gone" (not in robots)',
      ]),
    );
    expect(lines.join('\n')).not.toContain('13800000001');
  });

  test('robot targets are accepted in routes, mandatory and escalation tiers; a tier with only a robot is reachable', () => {
    const cfg = buildConfig(
      {
        users: [{ name: 'alice', email: 'alice@example.com', chatIds: { wecom: 'alice.w', feishu: 'ou_fake' } }],
        robots: [ROBOT, { name: 'wecom-room', type: 'wecom', webhookUrl: '${CHAT_WECOM_WEBHOOK}', mentions: { all: true } }],
        mandatory: ['robot:ops-room'],
        routes: [{ name: 'r', matchers: ['team="db"'], notify: ['alice', 'robot:wecom-room'], escalate: [{ afterMinutes: 5, notify: ['robot:ops-room'] }] }],
      },
      ENV,
    );
    expect(cfg.users[0]!.chatIds).toEqual({ wecom: 'alice.w', feishu: 'ou_fake' });
    expect(cfg.channels.chat).toEqual({ enabled: true, severities: [], statuses: ['firing', 'resolved'] });
  });

  test('channels.chat takes the same filters as the other channels', () => {
    const cfg = buildConfig({ channels: { chat: { severities: ['critical'], statuses: ['firing'] } } }, {});
    expect(cfg.channels.chat).toEqual({ enabled: true, severities: ['critical'], statuses: ['firing'] });
    expect(problems({ channels: { chat: { statuses: ['pending'] } } }, {})).toEqual(['channels.chat.statuses[0]: must be one of: "firing", "resolved"']);
  });
});
