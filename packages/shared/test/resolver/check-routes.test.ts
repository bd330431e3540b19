import type { GatewayConfig } from '../../src/config/types';
import { checkRoutes } from '../../src/resolver/check-routes';

type Routing = Pick<GatewayConfig, 'users' | 'mandatory' | 'routes'>;

const USERS = [
  { name: 'ops1', email: 'ops1@example.com', groups: ['ops'] },
  { name: 'dba1', phone: '+8613800000011', groups: ['dba'] },
];

const base: Routing = {
  users: USERS,
  mandatory: ['group:ops'],
  routes: [
    { name: 'db', matchers: ['team="db"', 'severity=~"critical|error"'], notify: ['group:dba', 'ops1'] },
    { name: 'pay', matchers: ['"service.name"="支付"'], notify: ['dba1'], channels: ['sms'] },
  ],
};

describe('checkRoutes', () => {
  test('a good config has no problems', () => {
    expect(checkRoutes(base)).toEqual([]);
  });

  test.each<[string, Partial<Routing>, Array<{ path: string; message: RegExp }>]>([
    [
      'a matcher that does not parse, with its position',
      { routes: [base.routes[0]!, { name: 'x', matchers: ['team="db"', 'severity=~"(critical"'], notify: ['ops1'] }] },
      [{ path: 'routes[1].matchers[1]', message: /invalid matcher "severity=~\\"\(critical\\"": column 11: .*invalid regular expression/ }],
    ],
    [
      'an entry with no matcher in it',
      { routes: [{ name: 'x', matchers: ['{}'], notify: ['ops1'] }] },
      [{ path: 'routes[0].matchers[0]', message: /contains no matcher/ }],
    ],
    [
      'notify naming an unknown user or an empty group',
      { routes: [{ name: 'x', matchers: [], notify: ['ops1', 'ghost', 'group:nobody', 'group:'] }] },
      [
        { path: 'routes[0].notify[1]', message: /unknown user "ghost"/ },
        { path: 'routes[0].notify[2]', message: /group "nobody" has no members/ },
        { path: 'routes[0].notify[3]', message: /names no group/ },
      ],
    ],
    [
      'mandatory naming an unknown user',
      { mandatory: ['group:ops', 'dba'] },
      [{ path: 'mandatory[1]', message: /unknown user "dba" .*group:<name>/ }],
    ],
    [
      'duplicate route names',
      { routes: [base.routes[0]!, base.routes[1]!, { ...base.routes[0]!, matchers: [] }] },
      [{ path: 'routes[2].name', message: /duplicate route name "db" \(first at routes\[0\]\)/ }],
    ],
    [
      'duplicate user names',
      { users: [...USERS, { name: 'ops1', groups: [] }] },
      [{ path: 'users[2].name', message: /duplicate user name "ops1"/ }],
    ],
  ])('%s', (_name, patch, expected) => {
    const problems = checkRoutes({ ...base, ...patch });
    expect(problems).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(problems[i]!.path).toBe(e.path);
      expect(problems[i]!.message).toMatch(e.message);
    });
  });

  test('every problem is listed, not just the first', () => {
    const problems = checkRoutes({
      users: USERS,
      mandatory: ['ghost'],
      routes: [
        { name: 'a', matchers: ['x=~"["', 'y!'], notify: ['nobody'] },
        { name: 'a', matchers: [], notify: [] },
      ],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'mandatory[0]',
      'routes[0].matchers[0]',
      'routes[0].matchers[1]',
      'routes[0].notify[0]',
      'routes[1].name',
    ]);
  });
});
