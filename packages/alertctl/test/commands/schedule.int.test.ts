import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useDirectoryCli } from '../support/cli';

/** alice on a daily 10:00 rotation with bob, in Shanghai; routes of team=db page the schedule. */
function withSchedule(tree: Record<string, unknown>): void {
  tree.schedulesTimeZone = 'Asia/Shanghai';
  tree.schedules = [{ name: 'primary', layers: [{ name: 'daily', members: ['alice', 'bob'], rotation: 'day', start: '2026-03-01', handoverTime: '10:00' }] }];
  tree.routes = [{ name: 'db-team', matchers: ['team="db"'], notify: ['schedule:primary'] }];
}

describe('alertctl schedule and oncall (real Redis)', () => {
  const cli = useDirectoryCli(withSchedule);

  it('says who is on call around a handover, and until when, in the schedule\'s zone', async () => {
    const before = await cli.setup.run(['oncall', 'primary', '--at', '2026-03-02T09:59']);
    expect(before.stderr).toBe('');
    expect(before.stdout).toContain('Redis has no directory yet');
    expect(before.stdout).toMatch(/primary\s+alice\s+2026-03-02T10:00:00\.000\+08:00\s+daily/);
    const after = await cli.setup.run(['oncall', '--at', '2026-03-02T10:01+08:00', '--json']);
    expect(JSON.parse(after.stdout).items).toEqual([expect.objectContaining({ schedule: 'primary', users: ['bob'], untilLocal: '2026-03-03T10:00:00.000+08:00' })]);
    const bad = await cli.setup.run(['oncall', '--at', 'next tuesday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--at is not a time');
    expect((await cli.setup.run(['oncall', 'nope'])).stderr).toContain('no schedule "nope"');
  });

  it('sets a schedule from a file (default zone filled in), overrides it, lists and deletes it', async () => {
    const file = path.join(path.dirname(cli.setup.configPath), 'web.yaml');
    writeFileSync(file, [
      'layers:',
      '  - members: [bob, alice]',
      '    rotation: week',
      '    start: "2026-03-02"',
      '    handoverTime: "09:00"',
      '  - name: daytime',
      '    members: [alice]',
      '    rotation: week',
      '    start: "2026-03-02"',
      '    restrictions: [{ weekdays: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00" }]',
      '',
    ].join('\n'));
    const set = await cli.setup.run(['schedule', 'set', 'web', '--file', file]);
    expect(set.stderr).toBe('');
    expect(set.stdout).toBe('created schedule web (directory version 1)\n');
    const stored = (await cli.store.read())!;
    expect(stored.doc.schedules!.map((s) => [s.name, s.timeZone])).toEqual([['primary', 'Asia/Shanghai'], ['web', 'Asia/Shanghai']]);

    const list = await cli.setup.run(['schedule', 'list']);
    expect(list.stdout).toMatch(/web\s+Asia\/Shanghai\s+layer 1: bob → alice every week; daytime: alice every week, restricted\s+0/);
    // Saturday night falls through the daytime layer's gap to the weekly layer.
    expect((await cli.setup.run(['oncall', 'web', '--at', '2026-03-07T22:00'])).stdout).toMatch(/web\s+bob\s+.*layer 1; daytime outside its restrictions/);

    const override = await cli.setup.run(['schedule', 'override', 'web', '--user', 'alice', '--from', '2026-03-07T20:00', '--to', '2026-03-08T08:00']);
    expect(override.stdout).toBe('alice is on call for web from 2026-03-07T12:00:00.000Z to 2026-03-08T00:00:00.000Z (directory version 2)\n');
    expect((await cli.setup.run(['oncall', 'web', '--at', '2026-03-07T22:00'])).stdout).toMatch(/web\s+alice\s+2026-03-08T08:00:00\.000\+08:00\s+override/);

    const unknownUser = await cli.setup.run(['schedule', 'override', 'web', '--user', 'carol', '--from', '1h', '--to', '2h']);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toContain('schedule "web": overrides[1].user: unknown user "carol"');

    const inUse = await cli.setup.run(['schedule', 'delete', 'primary']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('route "db-team": notify[0]: unknown schedule "primary"');
    expect((await cli.setup.run(['schedule', 'delete', 'web'])).stdout).toBe('deleted schedule web (directory version 3)\n');
    expect((await cli.store.read())!.doc.schedules!.map((s) => s.name)).toEqual(['primary']);
  });

  it('route test shows route → schedule → layer → user at the time asked', async () => {
    const res = await cli.setup.run(['route', 'test', '--labels', 'team=db,severity=critical', '--at', '2026-03-02T10:01']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain('On call at 2026-03-02T02:01:00.000Z');
    expect(res.stdout).toContain('route:db-team → schedule:primary → daily → bob (until 2026-03-03T02:00:00.000Z)');
    expect(res.stdout).toMatch(/email\s+bob\s+bob@example\.com\s+route:db-team → schedule:primary/);
  });
});
