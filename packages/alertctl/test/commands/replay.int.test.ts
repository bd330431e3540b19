import { Capture, useCli } from '../support/cli';
import { deadLetter, payload, queueOf } from '../support/tasks';

describe('alertctl replay (real Redis)', () => {
  const cli = useCli();

  it('replays the given dead letters only, keeping who was already served', async () => {
    const email = queueOf(cli.redis, cli.setup.prefix, 'email');
    const recipients = [{ name: 'alice', address: 'alice@example.com' }, { name: 'bob', address: 'bob@example.com' }];
    const a = await deadLetter(email, payload('A', recipients), { 'alice@example.com': { status: 'delivered' }, 'bob@example.com': { status: 'failed' } });
    const b = await deadLetter(email, payload('B', recipients));
    const c = await deadLetter(email, payload('C', recipients));

    const r = await cli.setup.run(['replay', 'email', a, `email:${c}`]);
    expect(r).toEqual({ code: 0, stdout: 'replayed 2 of 2 tasks in email\n', stderr: '' });
    expect(await cli.redis.zrange(email.keys.dead, 0, -1)).toEqual([b]);
    expect((await email.get(a))!.status).toBe('pending');
    // The replayed task keeps alice's delivery, so only bob is mailed again.
    expect(Object.keys((await email.get(a))!.results)).toEqual(['alice@example.com']);
  });

  it('names ids that are not dead letters and exits 1, after replaying the others', async () => {
    const email = queueOf(cli.redis, cli.setup.prefix, 'email');
    const dead = await deadLetter(email, payload('A', []));
    const { id: pending } = await email.enqueue({ payload: payload('P', []), severityRank: 1 });
    const r = await cli.setup.run(['replay', 'email', dead, pending, '999999']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('replayed 1 of 3 tasks in email\n');
    expect(r.stderr).toBe(`alertctl replay: not dead letters of email (unknown, expired, or already replayed): ${pending}, 999999\n`);
    expect(await cli.redis.zcard(email.keys.dead)).toBe(0);
  });

  it('replays every dead letter in batches with a progress line', async () => {
    const sms = queueOf(cli.redis, cli.setup.prefix, 'sms');
    for (let i = 0; i < 25; i++) await deadLetter(sms, payload(`S${i}`, [{ name: 'alice', address: '+8613800000001' }]));
    const lines: string[] = [];
    const stdout = new Capture({ isTTY: true, onWrite: (chunk) => lines.push(chunk) });
    const r = await cli.setup.run(['replay', 'sms', '--all', '--batch', '10'], { stdout });
    expect(r.code).toBe(0);
    // A terminal sees the one line rewritten per batch (10, 20, 25), then the result; each
    // "\r" is a write of its own (the only control character the output boundary lets through).
    expect(lines.filter((l) => l === '\r')).toHaveLength(4);
    expect(lines.join('').split('\r').slice(1).map((l) => l.trim())).toEqual([
      'replaying sms: 10/25 (40%), 10 back to pending',
      'replaying sms: 20/25 (80%), 20 back to pending',
      'replaying sms: 25/25 (100%), 25 back to pending',
      'replayed 25 dead letters of sms',
    ]);
    expect(await sms.counts()).toEqual(expect.objectContaining({ dead: 0, pending: 25 }));
  });

  it('says so when there is nothing to replay, and stops between batches on Ctrl-C', async () => {
    expect((await cli.setup.run(['replay', 'email', '--all'])).stdout).toBe('no dead letters in email\n');

    const email = queueOf(cli.redis, cli.setup.prefix, 'email');
    for (let i = 0; i < 5; i++) await deadLetter(email, payload(`E${i}`, []));
    const interrupt = new AbortController();
    // Ctrl-C arrives after the first batch was reported.
    const stdout = new Capture({ isTTY: true, onWrite: () => interrupt.abort() });
    const r = await cli.setup.run(['replay', 'email', '--all', '--batch', '2'], { stdout, signal: interrupt.signal });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('2/5 (40%), 2 back to pending — interrupted; run it again for the rest');
    expect(await cli.redis.zcard(email.keys.dead)).toBe(3);
  });

  it('refuses an unknown channel', async () => {
    const r = await cli.setup.run(['replay', 'pager', '--all']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'alertctl replay: unknown channel "pager" (configured: email, sms, chat)\n' });
  });
});
