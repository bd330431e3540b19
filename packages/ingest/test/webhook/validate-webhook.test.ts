import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_REPORTED_PROBLEMS, validateWebhook } from '../../src/webhook/validate-webhook';
import { WEBHOOK_LIMITS } from '../../src/webhook/schema';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';

const FIXTURES = AM_FIXTURES_DIR;
const fixtureFiles = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));

function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')).body;
}

/** A valid body to break one field at a time. */
function good(): Record<string, any> {
  return fixture('firing-one-alert-bearer.json');
}

function problems(body: unknown): Array<{ path: string; message: string }> {
  const result = validateWebhook(body);
  if (result.ok) throw new Error('expected the body to be rejected');
  return result.errors;
}

describe('validateWebhook', () => {
  test('there are fixtures to check', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(3);
  });

  test.each(fixtureFiles)('accepts the real Alertmanager 0.25 delivery %s', (file) => {
    const body = fixture(file);
    const result = validateWebhook(body);
    expect(result).toEqual({ ok: true, value: body });
  });

  test('accepts fields newer Alertmanagers add, anywhere', () => {
    const body = good();
    body.notification_reason = 'repeat';
    body.routeLabels = { team: 'db' };
    body.somethingElse = { nested: [1, 2] };
    body.alerts[0].silenceURL = 'http://am/silence';
    body.alerts[0].labels['utf8.name/with spaces'] = 'ok';
    expect(validateWebhook(body)).toEqual({ ok: true, value: body });
  });

  test('checks dates on the calendar every time, with many dates seen before', () => {
    const at = (day: number, second: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:${String(second).padStart(2, '0')}.123456789Z`;
    // More valid dates than are remembered, twice over, each then repeated as the next alert's start.
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < 300; i++) {
        const body = good();
        body.alerts[0].startsAt = at(1 + (i % 28), i % 60);
        body.alerts[0].endsAt = at(1 + ((i + 1) % 28), (i + 1) % 60);
        expect(validateWebhook(body).ok).toBe(true);
      }
    }
    for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-01-32T00:00:00Z']) {
      const body = good();
      body.alerts[0].startsAt = bad;
      expect(problems(body)).toEqual([{ path: '/alerts/0/startsAt', message: 'must be an RFC 3339 date-time like 2024-01-31T12:00:00Z' }]);
    }
  });

  test('accepts an empty alert list and empty label sets', () => {
    const body = { ...good(), alerts: [], groupLabels: {}, commonLabels: {}, commonAnnotations: {} };
    expect(validateWebhook(body).ok).toBe(true);
  });

  const cases: Array<[string, (b: Record<string, any>) => unknown, Array<[string, string]>]> = [
    ['not an object', () => 'hello', [['/', 'must be object']]],
    ['null', () => null, [['/', 'must be object']]],
    ['an array', () => [], [['/', 'must be object']]],
    ['wrong version', (b) => ({ ...b, version: '3' }), [['/version', 'must be "4"']]],
    ['version as a number', (b) => ({ ...b, version: 4 }), [['/version', 'must be "4"']]],
    [
      'missing top-level fields',
      (b) => {
        delete b.receiver;
        delete b.groupKey;
        delete b.truncatedAlerts;
        return b;
      },
      [
        ['/receiver', 'is required'],
        ['/groupKey', 'is required'],
        ['/truncatedAlerts', 'is required'],
      ],
    ],
    ['bad group status', (b) => ({ ...b, status: 'pending' }), [['/status', 'must be one of: "firing", "resolved"']]],
    ['negative truncatedAlerts', (b) => ({ ...b, truncatedAlerts: -1 }), [['/truncatedAlerts', 'must be >= 0']]],
    ['alerts not a list', (b) => ({ ...b, alerts: {} }), [['/alerts', 'must be array']]],
    [
      'every problem of one alert',
      (b) => {
        const a = b.alerts[0];
        a.status = 'ok';
        a.labels.severity = 2;
        a.labels.team = null;
        a.annotations = 'x';
        a.startsAt = 'yesterday';
        a.endsAt = '2026-13-01T00:00:00Z';
        delete a.fingerprint;
        return b;
      },
      [
        ['/alerts/0/fingerprint', 'is required'],
        ['/alerts/0/status', 'must be one of: "firing", "resolved"'],
        ['/alerts/0/labels/severity', 'must be string'],
        ['/alerts/0/labels/team', 'must be string'],
        ['/alerts/0/annotations', 'must be object'],
        ['/alerts/0/startsAt', 'must be an RFC 3339 date-time like 2024-01-31T12:00:00Z'],
        ['/alerts/0/endsAt', 'must be an RFC 3339 date-time like 2024-01-31T12:00:00Z'],
      ],
    ],
    [
      'problems in several alerts and label sets',
      (b) => {
        b.alerts.push({ ...b.alerts[0], labels: { a: 'b' }, startsAt: 5 }, 'nope');
        b.groupLabels = { cluster: ['prod'] };
        b.commonAnnotations = { summary: { text: 'x' } };
        return b;
      },
      [
        ['/alerts/1/startsAt', 'must be string'],
        ['/alerts/2', 'must be object'],
        ['/groupLabels/cluster', 'must be string'],
        ['/commonAnnotations/summary', 'must be string'],
      ],
    ],
    [
      'a label name with "/" and "~" is escaped in the pointer',
      (b) => {
        b.commonLabels['a/b~c'] = 1;
        return b;
      },
      [['/commonLabels/a~1b~0c', 'must be string']],
    ],
  ];

  test.each(cases)('rejects %s, listing every problem', (_name, mutate, expected) => {
    const got = problems(mutate(good())).map((p) => [p.path, p.message]);
    expect(got.sort()).toEqual([...expected].sort());
  });

  test('limits: too many alerts, over-long values and names', () => {
    const body = good();
    body.alerts = Array.from({ length: WEBHOOK_LIMITS.maxAlerts + 1 }, () => body.alerts[0]);
    expect(problems(body)).toContainEqual({ path: '/alerts', message: 'must NOT have more than 10000 items' });

    const long = good();
    long.alerts[0].labels.instance = 'x'.repeat(WEBHOOK_LIMITS.maxLabelValueLength + 1);
    long.alerts[0].labels['n'.repeat(WEBHOOK_LIMITS.maxNameLength + 1)] = 'v';
    const got = problems(long);
    expect(got).toContainEqual({
      path: '/alerts/0/labels/instance',
      message: `must NOT have more than ${WEBHOOK_LIMITS.maxLabelValueLength} characters`,
    });
    // The offending name is untrusted and long: the pointer shows only its start.
    const nameProblem = got.find((p) => p.message.startsWith('key '));
    expect(nameProblem?.message).toBe(`key must NOT have more than ${WEBHOOK_LIMITS.maxNameLength} characters`);
    expect(nameProblem?.path).toBe(`/alerts/0/labels/${'n'.repeat(128)}…`);
    expect(got).toHaveLength(2);
  });

  test('counts a length limit in characters, not UTF-16 units: astral characters right at the limit pass, one more fails', () => {
    // '😀' is one character but two UTF-16 units: at the limit the value is twice as long in units.
    const atLimit = good();
    atLimit.alerts[0].labels.instance = '😀'.repeat(WEBHOOK_LIMITS.maxLabelValueLength);
    atLimit.alerts[0].labels['𠀀'.repeat(WEBHOOK_LIMITS.maxNameLength)] = 'v';
    expect(validateWebhook(atLimit)).toEqual({ ok: true, value: atLimit });

    const over = good();
    over.alerts[0].labels.instance = '😀'.repeat(WEBHOOK_LIMITS.maxLabelValueLength + 1);
    expect(problems(over)).toEqual([
      { path: '/alerts/0/labels/instance', message: `must NOT have more than ${WEBHOOK_LIMITS.maxLabelValueLength} characters` },
    ]);
  });

  test('annotations may be longer than label values', () => {
    const body = good();
    body.alerts[0].annotations.description = 'd'.repeat(WEBHOOK_LIMITS.maxLabelValueLength * 2);
    expect(validateWebhook(body).ok).toBe(true);
  });

  test('caps the number of reported problems and says how many were left out', () => {
    const body = good();
    body.alerts = Array.from({ length: 300 }, () => ({ ...body.alerts[0], status: 'bad' }));
    const got = problems(body);
    expect(got).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(got[MAX_REPORTED_PROBLEMS - 1]).toEqual({ path: '/', message: `and ${300 - MAX_REPORTED_PROBLEMS + 1} more problems` });
  });

  test('accepts a large real-sized group', () => {
    const body = good();
    body.alerts = Array.from({ length: 1000 }, (_, i) => ({ ...body.alerts[0], fingerprint: `f${i}` }));
    expect(validateWebhook(body).ok).toBe(true);
  });
});
