import { CoalescedRun } from '../../src/handling/coalesced-run';

describe('CoalescedRun', () => {
  it('never runs twice at once, folds kicks during a run into one more run, then calls afterIdle', async () => {
    let active = 0;
    let runs = 0;
    let release: () => void = () => {};
    const idle: number[] = [];
    const run = new CoalescedRun(
      async () => {
        active++;
        expect(active).toBe(1);
        runs++;
        if (runs === 1) await new Promise<void>((r) => (release = r));
        active--;
      },
      () => idle.push(runs),
    );
    run.kick();
    run.kick();
    run.kick();
    release();
    await new Promise<void>((r) => {
      const poll = () => (idle.length ? r() : setImmediate(poll));
      poll();
    });
    expect(runs).toBe(2);
    expect(idle).toEqual([2]);
  });

  it('a stop during a run drops the pending extra run and skips afterIdle', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const idle: number[] = [];
    const run = new CoalescedRun(async () => {
      runs++;
      await new Promise<void>((r) => (release = r));
    }, () => idle.push(runs));
    run.kick();
    run.kick();
    const stopped = run.stop();
    release();
    await stopped;
    expect(runs).toBe(1);
    expect(idle).toEqual([]);
  });

  it('does nothing after stop() until resume()', async () => {
    let runs = 0;
    const idle: number[] = [];
    const run = new CoalescedRun(async () => void runs++, () => idle.push(runs));
    await run.stop();
    run.kick();
    expect(runs).toBe(0);
    run.resume();
    run.kick();
    await new Promise((r) => setImmediate(r));
    expect(runs).toBe(1);
    expect(idle).toEqual([1]);
  });
});
