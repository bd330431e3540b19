import type { LabelSet } from '../webhook/types';
import { compileGoRegexp, type GoRegexp } from './go-regexp';

/** The four Alertmanager match operators. */
export type MatchType = '=' | '!=' | '=~' | '!~';

/** One parsed label matcher; `regexp` is set for `=~` and `!~` (already anchored). */
export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  readonly regexp?: GoRegexp;
}

/** Builds a matcher, compiling its regexp with RE2 the way Alertmanager does (`^(?:value)$`); throws GoRegexpError. */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  if (type === '=~' || type === '!~') return { type, name, value, regexp: compileGoRegexp(value) };
  return { type, name, value };
}

/** Whether one matcher accepts a label value; a missing label is the empty string, as in Alertmanager. */
export function matchesValue(m: Matcher, value: string): boolean {
  switch (m.type) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regexp!.test(value);
    case '!~':
      return !m.regexp!.test(value);
  }
}

/**
 * Whether every matcher accepts the label set (an empty list accepts everything). A missing
 * label counts as "", so `foo=""` and `foo=~".*"` match an alert without foo and `foo!=""`
 * requires it.
 */
export function matches(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const m of matchers) {
    // Own properties only: a label set is untrusted JSON and "constructor" must not resolve.
    const value = Object.prototype.hasOwnProperty.call(labels, m.name) ? String(labels[m.name]) : '';
    if (!matchesValue(m, value)) return false;
  }
  return true;
}
