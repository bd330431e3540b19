import { createProgress } from '../src/progress';
import { Capture } from './support/cli';

describe('createProgress', () => {
  it('rewrites one line on a terminal', () => {
    const out = new Capture({ isTTY: true });
    const p = createProgress(out);
    p.update('10/30');
    p.update('20/30');
    p.done('done');
    expect(out.text).toBe('\r10/30\r20/30\rdone \n');
  });

  it('prints at most one line per interval elsewhere, and always the last', () => {
    const out = new Capture();
    let now = 0;
    const p = createProgress(out, { everyMs: 1000, clock: () => now });
    p.update('a');
    now = 500;
    p.update('b');
    now = 1500;
    p.update('c');
    p.done('done');
    expect(out.text).toBe('a\nc\ndone\n');
  });
});
