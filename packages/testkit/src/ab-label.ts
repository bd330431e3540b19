/**
 * A pseudo-random a/b string of `length` characters, the same for the same seed: the text on which
 * a counting regexp like `[ab]*a[ab]{999}x` keeps RE2 busy (periodic text would let its DFA cope).
 */
export function abLabel(seed: number, length: number): string {
  let value = '';
  for (let j = 0; j < length; j++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    value += seed >= 1073741824 ? 'a' : 'b';
  }
  return value;
}
