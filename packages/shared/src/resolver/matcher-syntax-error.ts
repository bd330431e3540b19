/** A matcher that does not parse; `column` counts code points from 0, `regexp` marks a bad regex. */
export class MatcherSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
    readonly regexp = false,
  ) {
    super(message);
    this.name = 'MatcherSyntaxError';
  }
}
