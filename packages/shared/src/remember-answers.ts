/**
 * `answer` with its answers remembered, for a pure function of a string that keeps seeing the same
 * values (label values under a regexp, an alert group's dates). Bounded so that untrusted input
 * cannot grow it: at most `entries` answers, for inputs of at most `maxLength` characters, the
 * oldest forgotten first. A remembered answer is always right, since `answer` is pure.
 */
export function rememberAnswers<T extends NonNullable<unknown>>(answer: (input: string) => T, bounds: { entries: number; maxLength: number }): (input: string) => T {
  const memo = new Map<string, T>();
  return (input) => {
    const known = memo.get(input);
    if (known !== undefined) return known;
    const result = answer(input);
    if (input.length <= bounds.maxLength) {
      if (memo.size >= bounds.entries) memo.delete(memo.keys().next().value as string);
      memo.set(input, result);
    }
    return result;
  };
}
