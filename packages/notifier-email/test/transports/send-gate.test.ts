import { SendGate } from '../../src/transports/send-gate';

describe('SendGate', () => {
  it('gives a freed turn to the most urgent waiting mail, first come first within one priority', async () => {
    const gate = new SendGate(1);
    const first = await gate.enter(3);
    const priorities = [3, 2, 0, 2, 0];
    const order: string[] = [];
    // Each mail leaves as soon as it has its turn, handing the turn on.
    const turns = priorities.map((p, i) =>
      gate.enter(p).then((leave) => {
        order.push(`${p}#${i}`);
        leave();
      }),
    );
    expect(gate.queued).toBe(5);
    first();
    await Promise.all(turns);
    expect(order).toEqual(['0#2', '0#4', '2#1', '2#3', '3#0']);
  });

  it('runs at most the smallest of cap, share and the adaptive limit at once', async () => {
    const gate = new SendGate(8);
    expect(gate.allowed).toBe(8);
    gate.setShare(3);
    expect(gate.allowed).toBe(3);
    const turns = Array.from({ length: 5 }, () => gate.enter(0));
    await new Promise((r) => setImmediate(r));
    expect(gate.active).toBe(3);
    expect(gate.queued).toBe(2);
    (await turns[0])();
    await new Promise((r) => setImmediate(r));
    expect(gate.active).toBe(3);
    expect(gate.queued).toBe(1);
  });

  it('halves on "slow down" (once per burst) and grows back by one per window of successes', async () => {
    const gate = new SendGate(8);
    const leaves = await Promise.all(Array.from({ length: 8 }, () => gate.enter(0)));
    gate.slowDown(1_000);
    gate.slowDown(1_050); // the same burst of 421s
    expect(gate.allowed).toBe(4);
    gate.slowDown(1_300);
    expect(gate.allowed).toBe(2);
    leaves.forEach((leave) => leave());
    for (let i = 0; i < 3; i++) gate.succeeded(); // 2 → 2.5 → 2.9 → 3.24
    expect(gate.allowed).toBe(3);
    for (let i = 0; i < 100; i++) gate.succeeded();
    expect(gate.allowed).toBe(8);
  });

  it('passOn: a turn goes straight to the most urgent waiting mail, with its payload, and the old turn ends without freeing one', async () => {
    const gate = new SendGate(2);
    const a = await gate.enter(2);
    const b = await gate.enter(2);
    const info = gate.enter(2, undefined, 'info');
    const critical = gate.enter(0, undefined, 'critical');
    const passed = gate.passOn(a);
    expect(passed?.payload).toBe('critical');
    expect(await critical).toBe(passed?.leave);
    expect(gate.active).toBe(2);
    // The turn passed on is over: leaving it frees nothing, and it cannot be passed again.
    a();
    expect(gate.active).toBe(2);
    expect(gate.queued).toBe(1);
    expect(gate.passOn(a)).toBeUndefined();
    // A turn that left normally frees its place for the next waiter.
    b();
    expect(await info).toEqual(expect.any(Function));
    expect(gate.active).toBe(2);
  });

  it('passOn hands nothing over when nobody waits, when the first waiter gave no payload, or when fewer may run now', async () => {
    const gate = new SendGate(2);
    const a = await gate.enter(0);
    expect(gate.passOn(a)).toBeUndefined();
    const b = await gate.enter(0);
    const plain = gate.enter(0);
    expect(gate.passOn(a)).toBeUndefined();
    b();
    await plain;
    void gate.enter(0, undefined, 'waiting');
    // After a 421 the limit is 1 with 2 running: the ending mail's turn is to end, not go on.
    gate.slowDown(1_000);
    expect(gate.allowed).toBe(1);
    expect(gate.passOn(a)).toBeUndefined();
    expect(gate.queued).toBe(1);
  });

  it('drops a waiter whose send was aborted', async () => {
    const gate = new SendGate(1);
    const leave = await gate.enter(0);
    const abort = new AbortController();
    const waiting = gate.enter(0, abort.signal);
    abort.abort(new Error('lease lost'));
    await expect(waiting).rejects.toThrow('lease lost');
    expect(gate.queued).toBe(0);
    leave();
    expect(gate.active).toBe(0);
  });
});
