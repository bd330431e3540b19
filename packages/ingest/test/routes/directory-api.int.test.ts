import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import { buildConfig, createLogger, DirectoryStore, TaskQueue, type NotificationPayload } from '@alertgw/shared';
import { deleteKeys, testRedisUrl, uniquePrefix, waitFor } from '@alertgw/testkit';
import { createApp } from '../../src/app';
import { createHandlingRuntime } from '../../src/handling-runtime';
import { ingestRedisOptions } from '../../src/redis-options';
import { baseConfig, deliverFiring, request, TEST_ENV, type Ingest, useReplicaPair } from '../support/harness';

/** Two ingest replicas on one Redis: changes made through one are used by the other, live. */
describe('directory API across replicas', () => {
  const pair = useReplicaPair('dir');
  const { send } = pair;
  let a: Ingest;
  let b: Ingest;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  beforeAll(() => ({ a, b, operator, viewer } = pair));
  let n = 0;
  /** Delivers one firing alert with these labels to `target`; resolves to the email task's recipient names. */
  const emailRecipients = async (target: Ingest, labels: Record<string, string>): Promise<string[]> => {
    n++;
    const fp = `d1rec70000000${String(n).padStart(3, '0')}`;
    const res = await deliverFiring(target, labels, fp);
    expect(res.status).toBe(200);
    const task = await target.queues.get('email')!.get(res.body.tasks.email.id);
    return task!.payload.recipients.map((r) => r.name);
  };

  it('seeds Redis from the config once; both replicas start from it', async () => {
    const stored = await new DirectoryStore(a.redis, a.prefix, ['email', 'sms']).read();
    expect(stored).toMatchObject({ version: 1, doc: { updatedBy: 'config', routes: [{ name: 'db-team' }] } });
    for (const r of [a, b]) expect(r.handling!.directory.current()).toMatchObject({ version: 1, source: 'redis' });
  });

  it('a route added through one replica is used by the next delivery on the other, within a second, no restart', async () => {
    const labels = { alertname: 'Latency', team: 'web', severity: 'critical' };
    expect(await emailRecipients(b, labels)).toEqual(['oncall-a']);

    const put = await send(a, 'PUT', '/api/v1/routes/web-team', {
      matchers: ['team="web"'],
      notify: ['zhangsan', 'lisi'],
      channels: ['email'],
      escalate: [{ afterMinutes: 10, notify: ['zhangsan'] }],
    });
    expect(put.status).toBe(200);
    const changedAt = Date.now();
    expect(put.body.route).toMatchObject({ name: 'web-team', notify: ['zhangsan', 'lisi'] });
    await waitFor(() => b.handling!.directory.current().version === put.body.version, 1000, 'replica b to load the new version');
    expect(Date.now() - changedAt).toBeLessThan(1000);

    expect(await emailRecipients(b, labels)).toEqual(['oncall-a', 'zhangsan', 'lisi']);
    const route = await send(b, 'GET', '/api/v1/routes/web-team', undefined, viewer);
    expect(route.body).toMatchObject({ name: 'web-team', escalate: [{ afterMinutes: 10, notify: ['zhangsan'] }] });
    const dir = await send(b, 'GET', '/api/v1/directory', undefined, viewer);
    expect(dir.body).toMatchObject({ version: put.body.version, updatedBy: 'alice' });
  });

  it('refuses a bad route with every problem named, and the rules in force stay', async () => {
    const before = b.handling!.directory.current().version;
    const bad = await send(a, 'PUT', '/api/v1/routes/web-team', { matchers: ['team=~"(web"'], notify: ['nobody', 'group:ghosts'], channels: ['pager'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('bad_request');
    expect(bad.body.message).toMatch(/^directory change refused, the rules in force stay: /);
    expect(bad.body.problems.map((p: { text: string }) => p.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^route "web-team": matchers\[0\]: invalid matcher/),
        'route "web-team": notify[0]: unknown user "nobody" (not in users; write "group:<name>" for a group)',
        'route "web-team": notify[1]: group "ghosts" has no members in users',
        'route "web-team": channels[0]: unknown channel (known: email, sms, chat)',
      ]),
    );
    const schema = await send(a, 'PUT', '/api/v1/routes/x', { matchers: [], notify: ['lisi'], escalate: [{ afterMinutes: 0, notify: ['lisi'] }] });
    expect(schema.status).toBe(400);
    expect(schema.body.problems.map((p: { text: string }) => p.text)).toEqual(
      expect.arrayContaining(['route "x": matchers: must NOT have fewer than 1 items', 'route "x": escalate[0].afterMinutes: must be > 0']),
    );
    expect(await new DirectoryStore(a.redis, a.prefix, ['email', 'sms']).version()).toBe(before);
    expect(await emailRecipients(b, { alertname: 'Latency', team: 'web' })).toEqual(['oncall-a', 'zhangsan', 'lisi']);
  });

  it('manages users and derived groups with the config rules; viewers read with phones masked', async () => {
    const badPhone = await send(a, 'PUT', '/api/v1/users/wangwu', { email: 'wangwu@example.com', phone: '13800000000' });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.problems[0].text).toBe('user "wangwu": phone: must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)');

    const added = await send(a, 'PUT', '/api/v1/users/wangwu', { email: 'wangwu@example.com', phone: '+8613800000007' });
    expect(added.status).toBe(200);
    const group = await send(a, 'PUT', '/api/v1/groups/web', { members: ['wangwu', 'lisi'] });
    expect(group.body.group).toEqual({ name: 'web', members: ['lisi', 'wangwu'] });
    expect((await send(a, 'PUT', '/api/v1/routes/web-team', { matchers: ['team="web"'], notify: ['group:web'] })).status).toBe(200);
    await waitFor(() => b.handling!.directory.current().version === a.handling!.directory.current().version, 1000, 'replica b');
    expect(await emailRecipients(b, { alertname: 'Latency', team: 'web' })).toEqual(['oncall-a', 'lisi', 'wangwu']);

    // Deleting someone a route still names is refused; so is emptying a group a route uses.
    const inUse = await send(a, 'DELETE', '/api/v1/users/oncall-a');
    expect(inUse.status).toBe(400);
    expect(inUse.body.problems.map((p: { text: string }) => p.text)).toEqual(['mandatory[0]: group "oncall" has no members in users']);
    const emptied = await send(a, 'DELETE', '/api/v1/groups/web');
    expect(emptied.status).toBe(400);
    expect(emptied.body.message).toMatch(/route "web-team": notify\[0\]: group "web" has no members in users/);

    const users = await send(b, 'GET', '/api/v1/users', undefined, viewer);
    expect(users.body.items.find((u: { name: string }) => u.name === 'wangwu')).toEqual({ name: 'wangwu', email: 'wangwu@example.com', phone: '+86138****0007', groups: ['web'] });
    expect((await send(b, 'GET', '/api/v1/users/wangwu')).body.phone).toBe('+8613800000007');
    expect((await send(b, 'GET', '/api/v1/groups', undefined, viewer)).body.items).toEqual(
      expect.arrayContaining([{ name: 'web', members: ['lisi', 'wangwu'] }, { name: 'dba', members: ['zhangsan', 'lisi'] }]),
    );
    expect((await send(b, 'PUT', '/api/v1/users/eve', { email: 'eve@example.com' }, viewer)).status).toBe(403);
    expect((await send(b, 'DELETE', '/api/v1/users/nobody')).status).toBe(404);
  });

  it('puts and deletes users and routes by name: a body naming another is 400, an unknown name 404', async () => {
    const renamed = await send(a, 'PUT', '/api/v1/users/zhaoliu', { name: 'someone-else', email: 'zhaoliu@example.com' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.message).toBe('name in the body differs from the path');
    const user = await send(a, 'PUT', '/api/v1/users/zhaoliu', { email: 'zhaoliu@example.com' });
    expect(user.body.user).toMatchObject({ name: 'zhaoliu', email: 'zhaoliu@example.com' });
    const route = await send(a, 'PUT', '/api/v1/routes/zhaoliu-only', { matchers: ['team="zl"'], notify: ['zhaoliu'] });
    expect(route.body.route).toMatchObject({ name: 'zhaoliu-only', notify: ['zhaoliu'] });
    const replaced = await send(a, 'PUT', '/api/v1/routes/zhaoliu-only', { matchers: ['team="zl2"'], notify: ['zhaoliu'] });
    expect(replaced.body.route).toMatchObject({ name: 'zhaoliu-only', matchers: ['team="zl2"'] });
    expect((await send(a, 'GET', '/api/v1/routes', undefined, viewer)).body.items.filter((r: { name: string }) => r.name === 'zhaoliu-only')).toHaveLength(1);

    const routeGone = await send(a, 'DELETE', '/api/v1/routes/zhaoliu-only');
    expect(routeGone.status).toBe(200);
    expect(routeGone.body.version).toBe(replaced.body.version + 1);
    expect((await send(a, 'GET', '/api/v1/routes/zhaoliu-only')).status).toBe(404);
    const again = await send(a, 'DELETE', '/api/v1/routes/zhaoliu-only');
    expect(again.status).toBe(404);
    expect(again.body.message).toBe('no such route');
    expect((await send(a, 'DELETE', '/api/v1/users/zhaoliu')).status).toBe(200);
    expect((await send(a, 'GET', '/api/v1/users/zhaoliu')).status).toBe(404);
  });

  it('explains who a label set would notify, and why (viewer)', async () => {
    const res = await send(b, 'POST', '/api/v1/routes/test', { labels: { team: 'db', severity: 'critical', owner: 'lisi' } }, viewer);
    expect(res.status).toBe(200);
    expect(res.body.routes.find((r: { name: string }) => r.name === 'db-team')).toMatchObject({ matched: true });
    expect(res.body.routes.find((r: { name: string }) => r.name === 'web-team')).toMatchObject({ matched: false, failedMatcher: 'team="web"' });
    const sms = res.body.channels.find((c: { channel: string }) => c.channel === 'sms');
    expect(sms).toMatchObject({ carried: true });
    expect(sms.recipients).toEqual([
      { name: 'oncall-a', address: '+86138****0001', rules: ['mandatory'] },
      { name: 'zhangsan', address: '+86138****0002', rules: ['route:db-team'] },
    ]);
    const email = res.body.channels.find((c: { channel: string }) => c.channel === 'email');
    expect(email.recipients.find((r: { name: string }) => r.name === 'lisi').rules).toEqual(['route:db-team', 'label:owner']);
    expect(res.body.cc).toEqual(['dba-list@example.com']);
    const warning = await send(b, 'POST', '/api/v1/routes/test', { labels: { team: 'db', severity: 'warning' } }, viewer);
    expect(warning.body.channels.find((c: { channel: string }) => c.channel === 'sms')).toMatchObject({ carried: false, why: 'severity "warning" is not carried (severities: critical, error)' });
  });

  it('answers 503 until alert handling has started, while webhooks use the configuration\'s directory', async () => {
    const prefix = uniquePrefix('dir-starting');
    const config = buildConfig(baseConfig(prefix), TEST_ENV);
    const redis = new Redis(testRedisUrl(), ingestRedisOptions());
    await once(redis, 'ready');
    const subscriber = new Redis(testRedisUrl());
    const queues = new Map(['email', 'sms'].map((name) => [name, new TaskQueue<NotificationPayload>({ redis, prefix, name })]));
    const logger = createLogger({ service: 'test', level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) });
    const handling = createHandlingRuntime({ config, redis, subscriber, queues, logger });
    const { app } = createApp({ config, redis, queues, resolver: handling.resolver, logger, handling });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const users = await request(url, 'GET', '/api/v1/users', operator);
      expect(users.status).toBe(503);
      expect(users.body.error).toBe('starting');
      expect((await request(url, 'POST', '/api/v1/alerts/abc/ack', { ...operator, 'Content-Type': 'application/json' }, '{}')).status).toBe(503);
      expect(handling.resolver.resolve([]).byChannel).toEqual({ email: [expect.objectContaining({ name: 'oncall-a' })], sms: [expect.objectContaining({ name: 'oncall-a' })] });
      await handling.start();
      expect((await request(url, 'GET', '/api/v1/users', operator)).status).toBe(200);
    } finally {
      server.close();
      await handling.close();
      await deleteKeys(redis, prefix);
      redis.disconnect();
    }
  });
});
