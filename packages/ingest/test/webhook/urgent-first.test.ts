import { readFile } from 'node:fs';
import { createUrgentFirst } from '../../src/webhook/urgent-first';

/** Busy CPU for `ms`, as storing a delivery keeps the event loop busy for a while. */
function work(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('createUrgentFirst: deliveries waiting for the CPU are stored most urgent first', () => {
  it('takes the waiting ones by severity rank, then by arrival', async () => {
    const urgent = createUrgentFirst();
    const order: string[] = [];
    const ranks: Array<[string, number]> = [['info-1', 3], ['info-2', 3], ['crit-1', 0], ['warn-1', 2], ['crit-2', 0]];
    await Promise.all(ranks.map(([name, rank]) => urgent.turn(rank).then(() => order.push(name))));
    expect(order).toEqual(['crit-1', 'crit-2', 'warn-1', 'info-1', 'info-2']);
    expect(urgent.waiting).toBe(0);
  });

  it('starts one per turn of the event loop: what the first one queues before it yields goes ahead of the backlog', async () => {
    const urgent = createUrgentFirst();
    const order: string[] = [];
    const backlog = Array.from({ length: 5 }, (_, i) =>
      urgent.turn(3).then(() => {
        order.push(`info-${i}`);
        // Started all at once, the critical one would come after the whole backlog.
        if (i === 0) void urgent.turn(0).then(() => order.push('crit'));
      }),
    );
    await Promise.all(backlog);
    expect(order).toEqual(['info-0', 'crit', 'info-1', 'info-2', 'info-3', 'info-4']);
  });

  it('a critical delivery whose bytes arrive (real I/O) behind a busy backlog is stored within a few turns, not last', async () => {
    const urgent = createUrgentFirst();
    const order: string[] = [];
    const backlog = Array.from({ length: 200 }, (_, i) =>
      urgent.turn(3).then(() => {
        order.push(`info-${i}`);
        if (i === 0) readFile(__filename, () => void urgent.turn(0).then(() => order.push('crit')));
        work(1);
      }),
    );
    await Promise.all(backlog);
    await new Promise((r) => setImmediate(r));
    const at = order.indexOf('crit');
    // The read completes within a few ms (a few 1 ms turns; more on a loaded host); the next
    // turn is the critical one's. In arrival order it would be the 201st.
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(100);
    expect(order).toHaveLength(201);
  });
});

describe('createUrgentFirst: nobody waits for ever', () => {
  it('a delivery that waited maxWaitMs goes next even while more urgent ones keep arriving', async () => {
    const urgent = createUrgentFirst({ maxWaitMs: 50 });
    const order: string[] = [];
    let stop = false;
    // One critical delivery arrives every turn, for as long as it takes.
    // It ends after 2 s by itself, so a starving implementation fails below instead of hanging.
    const stream = (i: number): void => {
      if (stop || performance.now() - started > 2_000) return;
      void urgent.turn(0).then(() => {
        order.push(`crit-${i}`);
        work(1);
        stream(i + 1);
      });
    };
    const started = performance.now();
    const info = urgent.turn(3).then(() => order.push('info'));
    stream(0);
    await info;
    const waited = performance.now() - started;
    stop = true;
    expect(order.filter((o) => o.startsWith('crit')).length).toBeGreaterThan(10);
    // Started at its deadline (give or take a turn), not after the stream.
    expect(waited).toBeGreaterThanOrEqual(49);
    expect(waited).toBeLessThan(1_000);
    await waitForIdle(urgent);
  });
});

async function waitForIdle(urgent: { waiting: number }): Promise<void> {
  while (urgent.waiting > 0) await new Promise((r) => setImmediate(r));
}
