import { outageLog } from '../src/outage-log';

describe('outageLog', () => {
  it('writes the first occurrence at once, then one line per interval with the count held back', () => {
    let t = 0;
    const lines: Array<[string, number]> = [];
    const log = outageLog((latest: string, heldBack) => lines.push([latest, heldBack]), 10_000, () => t);
    log('a');
    for (let i = 0; i < 500; i++) {
      t += 10;
      log(`b${i}`);
    }
    t = 10_000;
    log('c');
    t = 10_500;
    log('d');
    t = 25_000;
    log('e');
    expect(lines).toEqual([
      ['a', 0],
      ['c', 500],
      ['e', 1],
    ]);
  });
});
