import { useCli } from '../support/cli';
import { deadLetter, payload, queueOf } from '../support/tasks';

describe('alertctl queues (real Redis)', () => {
  const cli = useCli();

  async function fill(): Promise<{ leased: string; dead: string }> {
    const email = queueOf(cli.redis, cli.setup.prefix, 'email');
    const sms = queueOf(cli.redis, cli.setup.prefix, 'sms');
    const dead = await deadLetter(email, payload('DiskFull', [{ name: 'alice', address: 'alice@example.com' }, { name: 'bob', address: 'bob@example.com' }]), {
      'alice@example.com': { status: 'delivered' },
      'bob@example.com': { status: 'failed', message: '550 no such user' },
    });
    await deadLetter(sms, payload('DiskFull', [{ name: 'alice', address: '+8613800000001' }]), { '+8613800000001': { status: 'failed' } });
    // Pending: 2 critical, 1 warning, 1 with an unknown severity (rank 4) on email; 1 info on sms.
    for (const rank of [0, 0, 2, 4]) await email.enqueue({ payload: payload(`E${rank}`, []), severityRank: rank });
    await sms.enqueue({ payload: payload('S3', []), severityRank: 3 });
    // One in flight: claim takes the most urgent (a critical one), so 1 critical stays pending.
    const claimed = await email.claim('worker-a:123');
    return { leased: claimed.task!.id, dead };
  }

  it('shows depths, pending per severity, leases and dead letters', async () => {
    const { leased, dead } = await fill();
    const r = await cli.setup.run(['queues']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const row = (startsWith: string, after = 0) => lines.slice(after).find((l) => l.startsWith(startsWith))!.split(/\s{2,}/);

    expect(lines[0]).toContain(`key prefix ${cli.setup.prefix}`);
    expect(row('email')).toEqual(['email', '3', '1', '0', '1', '0']);
    expect(row('sms')).toEqual(['sms', '1', '0', '0', '1', '0']);

    const sev = lines.indexOf('Pending by severity (most urgent first)');
    expect(row('CHANNEL', sev)).toEqual(['CHANNEL', 'critical', 'error/major', 'warning', 'info', 'other']);
    expect(row('email', sev).map((c) => c.trim())).toEqual(['email', '1', '0', '1', '0', '1']);
    expect(row('sms', sev).map((c) => c.trim())).toEqual(['sms', '0', '0', '0', '1', '0']);

    const leases = lines.indexOf('In flight (leased)');
    const lease = row('email', leases);
    expect(lease.slice(0, 3)).toEqual(['email', leased, 'worker-a:123']);
    expect(lease[4]).toMatch(/^ends in \d+s$/);
    expect(lease[5]).toBe('1/3');

    const deadAt = lines.indexOf('Dead letters (newest first)');
    const deadEmail = row('email', deadAt);
    expect(deadEmail.slice(0, 2)).toEqual(['email', dead]);
    // Only bob still needs the mail; alice got it and a replay will not mail her again.
    expect(deadEmail).toContain('bob@example.com');
    expect(deadEmail.join(' ')).not.toContain('alice@');
    expect(deadEmail.at(-1)).toBe('550 mailbox unavailable');
    // The phone number of the SMS dead letter is masked.
    expect(row('sms', deadAt)).toContain('+86138****0001');
    expect(r.stdout).not.toContain('13800000001');
    expect(r.stdout).toContain('alertctl replay <channel> --all');
  });

  it('limits the lists and says how many more there are; --json gives the same facts', async () => {
    const email = queueOf(cli.redis, cli.setup.prefix, 'email');
    for (let i = 0; i < 3; i++) await deadLetter(email, payload(`D${i}`, [{ name: 'bob', address: 'bob@example.com' }]));
    const r = await cli.setup.run(['queues', 'email', '--limit', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('… 1 more in email (--limit)');
    expect(r.stdout).not.toMatch(/^sms/m);

    const json = await cli.setup.run(['queues', 'email', '--limit', '2', '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.channels).toHaveLength(1);
    expect(report.channels[0].counts.dead).toBe(3);
    expect(report.channels[0].dead.map((d: { group: string }) => d.group)).toEqual(['D2 firing', 'D1 firing']);
  });

  it('refuses an unknown channel (exit 2) and an unreachable Redis (exit 1) in one line', async () => {
    const unknown = await cli.setup.run(['queues', 'pager']);
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: 'alertctl queues: unknown channel "pager" (configured: email, sms, chat)\n' });
    const down = await cli.setup.run(['queues'], { env: { REDIS_URL: 'redis://:pw@127.0.0.1:2' } });
    expect(down.code).toBe(1);
    expect(down.stderr).toBe('alertctl queues: cannot reach Redis at redis://:***@127.0.0.1:2: ECONNREFUSED (set REDIS_URL or redis.url in the config)\n');
  });
});
