import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useDirectoryCli } from '../support/cli';

/** A route the tests change; the rest of the directory is the test config's. */
function withDbRoute(tree: Record<string, unknown>): void {
  tree.routes = [{ name: 'db-team', matchers: ['team="db"'], notify: ['bob'], cc: ['dba@example.com'] }];
}

describe('alertctl user, group, route and directory (real Redis)', () => {
  const cli = useDirectoryCli(withDbRoute);

  it('lists the configuration\'s directory until Redis has one, and seeds Redis on the first change', async () => {
    const list = await cli.setup.run(['user', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('Redis has no directory yet');
    expect(list.stdout).toMatch(/alice\s+alice@example\.com\s+\+86138\*\*\*\*0001\s+ops/);
    expect(list.stdout).not.toContain('+8613800000001');
    expect(await cli.store.read()).toBeNull();

    const set = await cli.setup.run(['user', 'set', 'carol', '--email', 'carol@example.com', '--phone', '+8613800000003', '--group', 'dba']);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('created user carol (directory version 1)\n');
    const stored = (await cli.store.read())!;
    expect(stored.doc.users.map((u) => u.name)).toEqual(['alice', 'bob', 'carol']);
    expect(stored.doc.updatedBy).toMatch(/^alertctl:/);

    const update = await cli.setup.run(['user', 'set', 'carol', '--email', '']);
    expect(update.stdout).toBe('updated user carol (directory version 2)\n');
    expect((await cli.store.read())!.doc.users[2]).toEqual({ name: 'carol', phone: '+8613800000003', groups: ['dba'] });
  });

  it('refuses a change the config would refuse, with the reason, and keeps the directory', async () => {
    const bad = await cli.setup.run(['user', 'set', 'dave', '--phone', '13800000004']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'alertctl user: directory change refused, the rules in force stay: user "dave": phone: must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)\n',
    );
    const inUse = await cli.setup.run(['user', 'delete', 'bob']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('route "db-team": notify[0]: unknown user "bob"');
    expect(await cli.store.read()).toBeNull();
  });

  it('sets routes from flags or a file, with escalation tiers, and deletes them', async () => {
    const set = await cli.setup.run([
      'route', 'set', 'web', '--matcher', 'team="web"', '--matcher', 'severity=~"critical|error"', '--notify', 'alice', '--channel', 'sms',
      '--escalate', '15m=group:ops/critical', '--escalate', '1h=alice,bob',
    ]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('created route web (directory version 1)\n');
    expect((await cli.store.read())!.doc.routes[1]).toEqual({
      name: 'web',
      matchers: ['team="web"', 'severity=~"critical|error"'],
      notify: ['alice'],
      channels: ['sms'],
      escalate: [{ afterMinutes: 15, notify: ['group:ops'], severities: ['critical'] }, { afterMinutes: 60, notify: ['alice', 'bob'] }],
    });
    // bob has no phone: the 1h tier alone could reach nobody.
    const unreachable = await cli.setup.run(['route', 'set', 'web2', '--matcher', 'team="x"', '--notify', 'alice', '--escalate', '1h=bob']);
    expect(unreachable.stderr).toContain('route "web2": escalate[0].notify: nobody here has a phone: escalations are sent by SMS');

    const file = path.join(path.dirname(cli.setup.configPath), 'route.yaml');
    writeFileSync(file, 'matchers: [\'team="db"\']\nnotify: [group:ops]\ncc: [dba@example.com]\n');
    expect((await cli.setup.run(['route', 'set', 'db-team', '--file', file])).stdout).toBe('replaced route db-team (directory version 2)\n');
    const list = await cli.setup.run(['route', 'list']);
    expect(list.stdout).toMatch(/db-team\s+team="db"\s+group:ops\s+all\s+-/);
    expect(list.stdout).toMatch(/web\s+team="web", severity=~"critical\|error"\s+alice\s+sms\s+15m→group:ops, 60m→alice\+bob/);

    expect((await cli.setup.run(['route', 'delete', 'web'])).stdout).toBe('deleted route web (directory version 3)\n');
    expect((await cli.setup.run(['route', 'delete', 'web'])).stderr).toBe('alertctl route: no route "web"\n');
  });

  it('sets and deletes groups as memberships of users', async () => {
    expect((await cli.setup.run(['group', 'set', 'dba', 'alice', 'bob'])).stdout).toBe('group dba: alice, bob (directory version 1)\n');
    const list = await cli.setup.run(['group', 'list']);
    expect(list.stdout).toMatch(/dba\s+alice, bob/);
    expect(list.stdout).toMatch(/ops\s+alice, bob/);
    expect((await cli.setup.run(['group', 'set', 'dba', 'zed'])).stderr).toMatch(/unknown user "zed"/);
    // mandatory is group:ops: emptying it is refused.
    expect((await cli.setup.run(['group', 'delete', 'ops'])).stderr).toContain('mandatory[0]: group "ops" has no members in users');
    expect((await cli.setup.run(['group', 'delete', 'dba'])).stdout).toBe('deleted group dba (directory version 2)\n');
  });

  it('route test shows who is notified on each channel, why, and what escalates', async () => {
    await cli.setup.run(['route', 'set', 'db-team', '--matcher', 'team="db"', '--notify', 'bob', '--cc', 'dba@example.com', '--escalate', '30s=alice/critical']);
    await cli.setup.run(['route', 'set', 'web', '--matcher', 'team="web"', '--notify', 'alice']);
    const r = await cli.setup.run(['route', 'test', '--labels', 'team=db,severity=critical']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = r.stdout;
    expect(text).toContain('Labels: team=db, severity=critical (firing) — directory version 2 in Redis');
    expect(text).toMatch(/yes\s+db-team\s+bob\s+every matcher matches/);
    expect(text).toMatch(/no\s+web\s+alice\s+team="web" does not match/);
    expect(text).toMatch(/email\s+alice\s+alice@example\.com\s+mandatory/);
    expect(text).toMatch(/email\s+bob\s+bob@example\.com\s+mandatory, route:db-team/);
    expect(text).toMatch(/sms\s+alice\s+\+86138\*\*\*\*0001\s+mandatory/);
    expect(text).toContain('Cc on email: dba@example.com');
    expect(text).toContain('after 30s: route db-team tier 1 → alice: alice (+86138****0001)');
    expect(text).toContain('bob has no sms address (picked by mandatory)');
    expect(text).not.toContain('+8613800000001');

    const warning = await cli.setup.run(['route', 'test', '--labels', 'team=db,severity=warning']);
    expect(warning.stdout).toContain('sms: nothing sent — severity "warning" is not carried (severities: critical, error)');
    expect(warning.stdout).toContain('no escalation');
    const json = JSON.parse((await cli.setup.run(['route', 'test', '--labels', 'team=web', '--json'])).stdout);
    expect(json.routes.find((x: { name: string }) => x.name === 'web').matched).toBe(true);
  });

  it('directory reseed replaces Redis with the configuration file', async () => {
    await cli.setup.run(['user', 'set', 'carol', '--email', 'carol@example.com']);
    expect((await cli.setup.run(['directory', 'show'])).stdout).toContain('3 users, 1 routes, 0 schedules, mandatory: group:ops');
    expect((await cli.setup.run(['directory', 'reseed'])).stdout).toBe("directory replaced with the configuration's (version 2): 2 users, 1 routes\n");
    expect((await cli.store.read())!.doc.users.map((u) => u.name)).toEqual(['alice', 'bob']);
  });
});
