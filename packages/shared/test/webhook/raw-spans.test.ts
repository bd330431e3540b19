import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';
import { findRawAlertSpans, type RawAlertSpans } from '../../src/webhook/raw-spans';

/** Each span must parse to what JSON.parse of the whole body gave for that part. */
function expectSpansMatch(text: string, spans: RawAlertSpans | undefined): void {
  const raw = Buffer.from(text, 'utf8');
  const parsed = JSON.parse(text);
  expect(spans).toBeDefined();
  const slice = (s: readonly [number, number]) => JSON.parse(raw.toString('utf8', s[0], s[1]));
  expect(slice(spans!.alerts)).toEqual(parsed.alerts);
  expect(spans!.items.length).toBe(parsed.alerts.length);
  expect(spans!.items.map(slice)).toEqual(parsed.alerts);
  parsed.alerts.forEach((alert: Record<string, unknown>, i: number) => {
    for (const name of ['labels', 'annotations'] as const) {
      const span = spans![name][i];
      const value = alert[name];
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) expect(slice(span!)).toEqual(value);
      else expect(span).toBeUndefined();
    }
  });
}

// A small seeded generator, so a failure names a seed that reproduces it.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Strings that trip scanners: quotes, runs of backslashes, brackets, the key names themselves.
const NASTY = ['"', '\\', '\\\\', '\\"', '{', '}', '[', ']', ',', ':', '"alerts":[', '"labels":{', 'annotations', '磁盘', '🔥', '\u0000', '\n', '\u2028', '</script>', ' '];

function randomString(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += r() < 0.6 ? NASTY[Math.floor(r() * NASTY.length)] : String.fromCharCode(32 + Math.floor(r() * 90));
  return s;
}

/** A JSON text of an object from entries, possibly with repeated keys, escaped keys and odd spacing. */
function objectText(entries: Array<[string, string]>, r: () => number): string {
  const ws = () => [' ', '', '\n', '\t', '\r\n  '][Math.floor(r() * 5)];
  const keyText = (k: string) => (r() < 0.2 ? `"${[...k].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(k));
  return `{${ws()}${entries.map(([k, v]) => `${keyText(k)}${ws()}:${ws()}${v}`).join(`${ws()},${ws()}`)}${ws()}}`;
}

function randomValue(r: () => number, depth: number): string {
  const pick = r();
  if (depth > 3 || pick < 0.4) return JSON.stringify(randomString(r));
  if (pick < 0.5) return String(Math.floor(r() * 1000) - 500);
  if (pick < 0.55) return ['true', 'false', 'null'][Math.floor(r() * 3)];
  if (pick < 0.75) return `[${Array.from({ length: Math.floor(r() * 3) }, () => randomValue(r, depth + 1)).join(',')}]`;
  return objectText(
    Array.from({ length: Math.floor(r() * 3) }, () => [r() < 0.2 ? 'labels' : randomString(r), randomValue(r, depth + 1)] as [string, string]),
    r,
  );
}

function stringMap(r: () => number): string {
  const entries = Array.from({ length: Math.floor(r() * 4) }, () => [r() < 0.1 ? 'alerts' : randomString(r) || 'k', JSON.stringify(randomString(r))] as [string, string]);
  return objectText(entries, r);
}

function alertText(r: () => number): string {
  const entries: Array<[string, string]> = [
    ['status', '"firing"'],
    ['labels', stringMap(r)],
    ['annotations', stringMap(r)],
    ['fingerprint', JSON.stringify(randomString(r))],
  ];
  if (r() < 0.3) entries.push(['labels', stringMap(r)]); // repeated: the last one counts
  if (r() < 0.3) entries.push([randomString(r) || 'extra', randomValue(r, 1)]);
  if (r() < 0.2) entries.splice(1, 0, ['nested', objectText([['labels', stringMap(r)]], r)]);
  return objectText(entries.sort(() => r() - 0.5), r);
}

function bodyText(r: () => number): string {
  const alerts = () => `[${Array.from({ length: Math.floor(r() * 4) }, () => alertText(r)).join(',')}]`;
  const entries: Array<[string, string]> = [
    ['receiver', JSON.stringify(randomString(r))],
    ['groupLabels', objectText([['alerts', alerts()]], r)],
    ['alerts', alerts()],
    ['commonLabels', stringMap(r)],
  ];
  if (r() < 0.3) entries.push(['alerts', alerts()]); // repeated top-level key
  if (r() < 0.3) entries.push([randomString(r) || 'x', randomValue(r, 1)]);
  return objectText(entries.sort(() => r() - 0.5), r);
}

describe('findRawAlertSpans', () => {
  test.each(readdirSync(AM_FIXTURES_DIR).filter((f) => f.endsWith('.json')))('finds the parts of the real delivery %s', (file) => {
    const text = JSON.stringify(JSON.parse(readFileSync(path.join(AM_FIXTURES_DIR, file), 'utf8')).body);
    expectSpansMatch(text, findRawAlertSpans(Buffer.from(text)));
  });

  test('pretty-printed bodies with CJK text and escapes', () => {
    const body = {
      receiver: 'ops "team"',
      alerts: [
        { status: 'firing', labels: { alertname: '磁盘\\"满', a: '}]' }, annotations: { summary: '🔥 "alerts":[1]' } },
        { status: 'resolved', labels: {}, annotations: { d: '\\' } },
      ],
    };
    for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2), JSON.stringify(body, null, '\t')]) {
      expectSpansMatch(text, findRawAlertSpans(Buffer.from(text)));
    }
  });

  test('a key written with escapes counts as the key, a repeated key by its last value', () => {
    const text = '{"alerts":[{"labels":{"a":"first"}}],"\\u0061lerts":[{"labels":{"a":"1"},"l\\u0061bels":{"a":"2"}}]}';
    const spans = findRawAlertSpans(Buffer.from(text));
    expectSpansMatch(text, spans);
    expect(JSON.parse(text.slice(spans!.labels[0]![0], spans!.labels[0]![1]))).toEqual({ a: '2' });
  });

  test('no alerts array: undefined', () => {
    for (const text of ['{}', '[]', '{"alerts":{}}', '{"x":{"alerts":[]}}', '"alerts"']) {
      expect(findRawAlertSpans(Buffer.from(text))).toBeUndefined();
    }
  });

  test('3,000 generated bodies: every span parses to the value JSON.parse gave', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = bodyText(rng(seed));
      try {
        expectSpansMatch(text, findRawAlertSpans(Buffer.from(text)));
      } catch (err) {
        throw new Error(`seed ${seed}: ${text}\n${(err as Error).message}`);
      }
    }
  });
});
