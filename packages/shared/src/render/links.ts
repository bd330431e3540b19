import type { LabelSet } from '../webhook/types';

/** Returns the URL when it is an absolute http(s) URL, else undefined: only those may become links. */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return undefined;
  }
  // javascript:, data:, file: … from an annotation must never become a clickable href.
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : undefined;
}

/** Alertmanager matcher list `{a="b",c="d"}`, values quoted the way its UI parses them. */
export function matcherFilter(labels: LabelSet): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}="${labels[name].replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return `{${parts.join(',')}}`;
}

/** Link to Alertmanager's "new silence" form pre-filled with these labels, or undefined if externalURL is not http(s). */
export function silenceUrl(externalURL: string, labels: LabelSet): string | undefined {
  const base = safeHttpUrl(externalURL);
  if (!base || Object.keys(labels).length === 0) return undefined;
  return `${base.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(matcherFilter(labels))}`;
}

/** Link to Alertmanager's alert list for one receiver, or undefined if externalURL is not http(s). */
export function alertsUrl(externalURL: string, receiver: string): string | undefined {
  const base = safeHttpUrl(externalURL);
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/#/alerts?receiver=${encodeURIComponent(receiver)}`;
}
