import { putNamed, removeNamed } from '../../src/config/named-entries';

describe('putNamed and removeNamed', () => {
  const list = () => [
    { name: 'a', v: 1 },
    { name: 'b', v: 2 },
  ];

  it('replaces the entry of the same name in place, or adds one last', () => {
    const entries = list();
    expect(putNamed(entries, { name: 'a', v: 9 })).toBe(false);
    expect(putNamed(entries, { name: 'c', v: 3 })).toBe(true);
    expect(entries).toEqual([
      { name: 'a', v: 9 },
      { name: 'b', v: 2 },
      { name: 'c', v: 3 },
    ]);
  });

  it('removes the named entry and says whether there was one', () => {
    const entries = list();
    expect(removeNamed(entries, 'a')).toBe(true);
    expect(removeNamed(entries, 'a')).toBe(false);
    expect(removeNamed(entries, 'zz')).toBe(false);
    expect(entries).toEqual([{ name: 'b', v: 2 }]);
  });
});
