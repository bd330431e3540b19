import { HandlingKeys, isDirectoryName, isFingerprint } from '@alertgw/shared';
import { fixedKeyNames, keyLayout, uniquePrefix, waitFor } from '@alertgw/testkit';
import { startChannelReplica, type ChannelReplica } from './support/channel-replica';
import { bearer, request, startIngest, TEST_ENV, type Answer, type Ingest } from './support/harness';

/** The Redis type each fixed key must keep (the header comments of the key classes say the same). */
const TYPES: Record<string, string> = {
  'alerts.all': 'zset', 'alerts.expiry': 'zset', 'alerts.severities': 'set', 'alerts.severityOverflow': 'zset', 'alerts.expirySeverity': 'hash',
  'handling.acks': 'hash', 'handling.ackVersion': 'string', 'handling.silenceGone': 'hash', 'handling.events': 'none',
  'directory.doc': 'string', 'directory.version': 'string', 'directory.events': 'none',
  'queue.pending': 'zset', 'queue.delayed': 'zset', 'queue.leaseDeadlines': 'zset', 'queue.dead': 'zset', 'queue.completed': 'zset',
  'queue.marker': 'zset', 'queue.seq': 'string', 'queue.fence': 'string',
};
/** Names Object.prototype answers to. */
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
const ESCALATE_AFTER_MINUTES = 0.005;

function withEscalation(raw: Record<string, unknown>): void {
  (raw.users as unknown[]).push({ name: 'boss', phone: '+8613800000009', groups: ['leads'] });
  raw.routes = [
    { name: 'db-team', matchers: ['team="db"'], notify: ['group:dba'], escalate: [{ afterMinutes: ESCALATE_AFTER_MINUTES, notify: ['group:leads'] }] },
  ];
}

function delivery(fp: string, labels: Record<string, string>, startsAt: string) {
  return {
    version: '4',
    receiver: 'gateway',
    status: 'firing',
    groupKey: `{}:{fp="${fp}"}`,
    truncatedAlerts: 0,
    externalURL: 'http://alertmanager',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    alerts: [{ status: 'firing', labels, annotations: { summary: 'hostile' }, startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: fp }],
  };
}

describe('fixed key names and prototype names as input', () => {
  let ingest: Ingest;
  let names: string[];

  // The SMS notifier that sends escalation tiers (delayed SMS tasks) when they are due.
  let notifier: ChannelReplica;

  beforeAll(async () => {
    ingest = await startIngest({ prefix: uniquePrefix('hostile'), patch: withEscalation, handling: { pollMs: 200, escalationIdleMs: 200 } });
    names = fixedKeyNames(ingest.prefix, [...ingest.queues.keys()]);
    notifier = startChannelReplica(ingest);
  });
  afterAll(async () => {
    await notifier?.close();
    await ingest?.close();
  });

  const post = (body: unknown): Promise<Answer> =>
    request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
  const operator = async (method: string, path: string, body?: unknown): Promise<Answer> =>
    request(ingest.url, method, path, { ...(await bearer('operator', 'carol')), 'Content-Type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
  const viewer = async (path: string): Promise<Answer> => request(ingest.url, 'GET', path, await bearer('viewer'));
  const escalated = async (): Promise<string[]> =>
    notifier.sent.filter((s) => s.task.payload.deliveryKey.startsWith('escalation:')).map((s) => s.task.payload.alerts[0]!.fingerprint);
  const keyTypes = async (): Promise<string[]> => {
    const wrong: string[] = [];
    for (const k of keyLayout(ingest.prefix, [...ingest.queues.keys()]).fixed) {
      const kind = `${k.owner.startsWith('queue:') ? 'queue' : k.owner}.${k.name}`;
      const type = await ingest.redis.type(k.key);
      if (type !== 'none' && type !== TYPES[kind]) wrong.push(`${k.key} is ${type}, not ${TYPES[kind] ?? 'declared'}`);
    }
    return wrong;
  };

  it('every fixed key name as a fingerprint is stored apart (or refused with 400), and escalations keep firing', async () => {
    expect(names).toEqual(expect.arrayContaining(['delayed', 'ack:all', 'handling:delayed']));
    const startsAt = new Date(Date.now() - 1000).toISOString();
    const valid: string[] = [];
    for (const name of names) {
      const res = await post(delivery(name, { alertname: 'Hostile', team: 'db', severity: name }, startsAt));
      expect(`${name} ${res.status}`).toBe(`${name} ${isFingerprint(name) ? 200 : 400}`);
      if (isFingerprint(name)) valid.push(name);
      else expect(res.body.problems).toEqual([expect.objectContaining({ path: '/alerts/0/fingerprint' })]);
      const read = await viewer(`/api/v1/alerts/${encodeURIComponent(name)}`);
      expect(`${name} ${read.status}`).toBe(`${name} ${isFingerprint(name) ? 200 : 400}`);
      const comment = await operator('POST', `/api/v1/alerts/${encodeURIComponent(name)}/comment`, { comment: 'seen' });
      expect(`${name} ${comment.status}`).toBe(`${name} ${isFingerprint(name) ? 200 : 400}`);
      const task = await viewer(`/api/v1/tasks/${encodeURIComponent(`sms:${name}`)}`);
      expect(`${name} ${task.status}`).toBe(`${name} 400`);
    }
    expect(valid).toEqual(expect.arrayContaining(['delayed', 'handling', 'all', 'pending', 'seq']));
    expect(await keyTypes()).toEqual([]);

    // One ordinary alert after all that: it escalates, and so does every stored hostile one.
    const ordinary = 'a11c0ffee0000001';
    expect((await post(delivery(ordinary, { alertname: 'ReplicationLag', team: 'db', severity: 'critical' }, startsAt))).status).toBe(200);
    const fired = await waitFor(async () => {
      const fps = await escalated();
      return [ordinary, ...valid].every((fp) => fps.includes(fp)) ? fps : null;
    }, 15_000, 'every escalation to fire');
    expect(fired.filter((fp) => fp === 'delayed')).toHaveLength(1);
    expect(await keyTypes()).toEqual([]);
    expect(ingest.logs().filter((l) => String(l.message).includes('claim failed'))).toEqual([]);
    expect(await ingest.redis.type(new HandlingKeys(ingest.prefix).escalation('delayed'))).toBe('hash');
  }, 30_000);

  it('every fixed key name and prototype name as a user, group and route name: stored or refused with 400', async () => {
    for (const name of [...names, ...PROTOTYPE_NAMES]) {
      const path = encodeURIComponent(name);
      const want = isDirectoryName(name) ? 200 : 400;
      const user = await operator('PUT', `/api/v1/users/${path}`, { email: 'someone@example.com' });
      const group = await operator('PUT', `/api/v1/groups/${path}`, { members: ['zhangsan'] });
      const route = await operator('PUT', `/api/v1/routes/${path}`, { matchers: ['team="nobody"'], notify: ['zhangsan'] });
      expect(`${name} ${user.status} ${group.status} ${route.status}`).toBe(`${name} ${want} ${want} ${want}`);
      if (want === 200) {
        expect((await operator('GET', `/api/v1/users/${path}`)).body).toMatchObject({ name, email: 'someone@example.com' });
        expect((await operator('GET', `/api/v1/groups/${path}`)).body).toEqual({ name, members: ['zhangsan'] });
        expect((await operator('GET', `/api/v1/routes/${path}`)).body).toMatchObject({ name, notify: ['zhangsan'] });
      }
    }
    expect(await keyTypes()).toEqual([]);
    // The directory still routes: a db alert reaches the dba group.
    const res = await post(delivery('a11c0ffee0000002', { alertname: 'ReplicationLag', team: 'db', severity: 'critical' }, new Date().toISOString()));
    expect(res.status).toBe(200);
    const task = await ingest.queues.get('email')!.get(res.body.tasks.email.id);
    expect(task!.payload.recipients.map((r) => r.name)).toEqual(expect.arrayContaining(['zhangsan', 'lisi']));
  }, 60_000);

  it.each(PROTOTYPE_NAMES)('%s as severity, label name and label value is an ordinary string', async (name) => {
    const fp = `b0${Buffer.from(name).toString('hex')}`.slice(0, 32);
    const labels = { alertname: name, team: 'db', severity: name, [name]: name };
    expect(Object.keys(labels)).toContain(name);
    const res = await post(delivery(fp, labels, new Date().toISOString()));
    expect(res.status).toBe(200);
    // An unknown severity: the configured "unknown" rank, never a prototype's member.
    expect(res.body.tasks.email).toMatchObject({ severity: name });
    const task = await ingest.queues.get('email')!.get(res.body.tasks.email.id);
    expect(task!.severityRank).toBe(ingest.config.queue.unknownSeverityRank);
    const stored = await viewer(`/api/v1/alerts/${fp}`);
    expect(stored.status).toBe(200);
    expect(stored.body.alert.labels).toEqual(JSON.parse(JSON.stringify(labels)));
    const listed = await viewer(`/api/v1/alerts?severity=${encodeURIComponent(name)}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((r: { fingerprint: string }) => r.fingerprint)).toEqual([fp]);
  });
});

describe('a delivery Redis refuses for good', () => {
  it('answers 500 and logs a bug, not 503 (which Alertmanager would retry forever to the same end)', async () => {
    const ingest = await startIngest({ prefix: uniquePrefix('refused'), patch: withEscalation, handling: { pollMs: 200, escalationIdleMs: 200 } });
    try {
      // A key of the wrong type where the script writes (the SMS queue's id counter, where the tier goes, as a hash).
      const seq = new HandlingKeys(ingest.prefix).escalationQueue.seq;
      await ingest.redis.hset(seq, 's:x', 'scheduled');
      const body = delivery('a11c0ffee0000003', { alertname: 'ReplicationLag', team: 'db', severity: 'critical' }, new Date().toISOString());
      const res = await request(ingest.url, 'POST', '/webhook/alertmanager', { Authorization: `Bearer ${TEST_ENV.INGEST_TOKEN}`, 'Content-Type': 'application/json' }, JSON.stringify(body));
      expect(res.status).toBe(500);
      expect(res.headers['retry-after']).toBeUndefined();
      expect(ingest.logs().find((l) => String(l.message).startsWith('delivery failed: not a Redis outage'))).toBeDefined();
    } finally {
      await ingest.close();
    }
  });
});
