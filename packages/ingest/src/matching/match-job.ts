import type { explainRouting, LabelSet, MatchType } from '@alertgw/shared';

/** Work a matching worker does: label sets against matchers, or a routing explanation (routes against labels). */
export type MatchJob =
  | { op: 'match'; matchers: Array<{ type: MatchType; name: string; value: string }>; labelSets: LabelSet[] }
  | { op: 'explain'; input: Parameters<typeof explainRouting>[0] };

/** A worker's answer to one job. */
export type MatchReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };
