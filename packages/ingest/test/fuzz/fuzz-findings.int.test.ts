import { getAlert } from '@alertgw/shared';
import { bearer, loadFixtures, request, signToken, startIngest, type Ingest } from '../support/harness';

/**
 * The smallest inputs the fuzz tests found failing, kept as plain tests so that whoever
 * changes the code they broke sees them by name.
 */
describe('fuzz findings', () => {
  let ingest: Ingest;
  beforeAll(async () => {
    ingest = await startIngest({
      handling: { loops: false },
      patch: (raw) => {
        (raw.users as unknown[]).push({ name: 'boss', phone: '+8613800000009', groups: ['leads'] });
        raw.routes = [{ name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], escalate: [{ afterMinutes: 5, notify: ['group:leads'] }] }];
      },
    });
  });
  afterAll(() => ingest.close());

  const fixture = loadFixtures().find((f) => f.name === 'firing-one-alert-bearer.json')!;
  /** The fixture with one alert changed; a fresh groupKey each time, so nothing is a duplicate. */
  const deliver = (alert: { fingerprint?: string; labels?: Record<string, string> }, tag: string) => {
    const a = fixture.body.alerts[0];
    const body = { ...fixture.body, groupKey: `findings-${tag}`, alerts: [{ ...a, ...alert, labels: { ...a.labels, ...alert.labels } }] };
    return request(ingest.url, 'POST', '/webhook/alertmanager', { authorization: 'Bearer test-token-123', 'content-type': 'application/json' }, JSON.stringify(body));
  };

  it.each(['__proto__', 'constructor', 'toString'])('accepts severity %s (ranked as unknown, not 503)', async (severity) => {
    const res = await deliver({ fingerprint: `sev-${severity}`, labels: { severity } }, severity);
    expect(res.status).toBe(200);
  });

  it.each(['due', 'inflight'])('accepts fingerprint %s on an escalating route (its key is not esc:due)', async (fingerprint) => {
    const res = await deliver({ fingerprint, labels: { team: 'db', severity: 'critical' } }, fingerprint);
    expect(res.status).toBe(200);
    expect(await getAlert(ingest.redis, ingest.prefix, fingerprint)).not.toBeNull();
  });

  it('refuses an empty fingerprint with a 400 and stores no record for it', async () => {
    expect((await deliver({ fingerprint: '' }, 'empty-fp')).status).toBe(400);
    expect(await getAlert(ingest.redis, ingest.prefix, '')).toBeNull();
  });

  it('acks with a lone surrogate in the comment and the subject; later deliveries and unack still work', async () => {
    const fp = 'lone-surrogate';
    expect((await deliver({ fingerprint: fp, labels: { team: 'db', severity: 'critical' } }, 'ls-1')).status).toBe(200);
    const operator = { authorization: `Bearer ${await signToken('operator', { sub: 'x\ud800' })}`, 'content-type': 'application/json' };
    const ack = await request(ingest.url, 'POST', `/api/v1/alerts/${fp}/ack`, operator, JSON.stringify({ comment: 'a\ud800b' }));
    expect(ack.status).toBe(200);
    // Every delivery of an acked alert decodes its ack in Redis: it must not fail from now on.
    expect((await deliver({ fingerprint: fp, labels: { team: 'db', severity: 'critical' } }, 'ls-2')).status).toBe(200);
    const unack = await request(ingest.url, 'POST', `/api/v1/alerts/${fp}/unack`, await bearer('operator'), undefined);
    expect(unack.status).toBe(200);
  });
});
