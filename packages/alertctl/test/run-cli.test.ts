import { COMMANDS, runCli } from '../src/run-cli';
import { Capture } from './support/cli';

async function cli(argv: string[]) {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await runCli(argv, { env: {}, cwd: process.cwd(), stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('runCli', () => {
  it('prints the command list with --help (exit 0) and without a command (exit 2)', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const c of COMMANDS) expect(help.stdout).toContain(c.name);
    expect((await cli([])).code).toBe(2);
  });

  it('prints each command help with --help and with `help <command>`', async () => {
    for (const c of COMMANDS) {
      const a = await cli([c.name, '--help']);
      expect(a.code).toBe(0);
      expect(a.stdout).toContain(`Usage: alertctl ${c.name}`);
      expect((await cli(['help', c.name])).stdout).toBe(a.stdout);
    }
  });

  it('answers a wrong command line with one line on stderr and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], new RegExp(`^alertctl: unknown command "frobnicate" \\(commands: ${COMMANDS.map((c) => c.name).join(', ')}; see alertctl --help\\)\\n$`)],
      [['queues', '--nope'], /^alertctl queues: unknown option --nope \(see alertctl queues --help\)\n$/],
      [['queues', '--limit', 'lots'], /^alertctl queues: --limit must be a positive integer, got "lots"\n$/],
      [['replay'], /^alertctl replay: replay needs a channel/],
      [['replay', 'email', '1', '--all'], /^alertctl replay: give task ids or --all, not both\n$/],
      [['replay', 'email', 'sms:3'], /^alertctl replay: task "sms:3" is not in channel email\n$/],
      [['timeline'], /^alertctl timeline: timeline needs exactly one fingerprint/],
      [['send-test', '--resolve-after', 'soon'], /^alertctl send-test: --resolve-after must be a duration/],
      [['send-test', '--resolve-after', '7'], /^alertctl send-test: --resolve-after must be a duration with a unit .*, got "7"; for 7 seconds write 7s\n$/],
      [['send-test', '--timeout', '5d2'], /^alertctl send-test: --timeout must be a duration with a unit .*, got "5d2"\n$/],
      [['send-test', '--url', 'localhost:9097'], /^alertctl send-test: --url must be an http\(s\) URL/],
      [['send-test', '--url', 'http://127.0.0.1:9097', '--label', 'oops'], /^alertctl send-test: --label must be name=value/],
      [['token', '--role', 'operator'], /^alertctl token: --sub is required/],
      [['token', '--sub', 'alice', '--role', 'admin'], /^alertctl token: --role must be viewer or operator\n$/],
      [['token', '--sub', 'alice', '--role', 'viewer', '--ttl', 'forever'], /^alertctl token: --ttl must be a duration/],
      [['token', '--sub', 'alice', '--role', 'viewer', '--ttl', '3600'], /^alertctl token: --ttl must be a duration with a unit .* like 30m, 12h or 7d, got "3600"; for 3600 seconds write 3600s\n$/],
      [['token', '--sub', 'alice', '--role', 'viewer', '--ttl', '500ms'], /^alertctl token: --ttl must be at least 1s, got "500ms"\n$/],
      [['route', 'test'], /^alertctl route: route test needs --labels/],
      [['route', 'test', '--labels', 'team'], /^alertctl route: --labels must be name=value pairs separated by commas, got "team"\n$/],
      [['route', 'set', 'r', '--notify', 'alice'], /^alertctl route: route set needs --matcher and --notify/],
      [['route', 'set', 'r', '--matcher', 'a="b"', '--notify', 'x', '--escalate', 'soon=alice'], /^alertctl route: --escalate must be/],
      [['user', 'show'], /^alertctl user: user show needs a user name/],
    ];
    for (const [argv, expected] of cases) {
      const r = await cli(argv);
      expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 2, stderr: expect.stringMatching(expected) });
      expect(r.stdout).toBe('');
    }
  });

  it('reports a broken config with every problem and exit 1', async () => {
    const r = await cli(['queues', '--config', '/nonexistent/alertgw.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^alertctl queues: cannot read config file \/nonexistent\/alertgw.yaml \(ENOENT\)\n$/);
  });
});
