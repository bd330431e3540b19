/** Score multiplier: severity rank in the high bits, arrival order (2^44 ≈ 1.7e13 tasks) in the low. */
export const RANK_BASE = 2 ** 44;

/** Rank of a severity label value from the configured table; unknown values get `unknownRank`. */
export function severityRank(severity: string | undefined, ranks: Record<string, number>, unknownRank: number): number {
  if (!severity) return unknownRank;
  // Own keys only: `constructor` or `__proto__` would otherwise find Object.prototype's members.
  const key = severity.toLowerCase();
  return Object.hasOwn(ranks, key) ? ranks[key]! : unknownRank;
}
