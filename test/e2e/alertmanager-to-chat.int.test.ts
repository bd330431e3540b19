import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import { stringify } from 'yaml';
import { getAlert, TaskQueue, type TimelineEvent } from '@alertgw/shared';
import { deleteKeys, freePort, startFakeDingtalk, startFakeFeishu, startFakeWecom, testRedis, testRedisUrl, uniquePrefix, waitFor, type FakeRobotServer } from '@alertgw/testkit';
import { requireAlertmanager, startAlertmanager, type Alertmanager, type PostableAlert } from './support/alertmanager';
import { childEnv, SERVICE_MAIN, requireCompiled, startChild, type ChildService, withTranscripts } from './support/child-service';

const ALERTNAME = 'E2EChatReplicationLag';
const WAIT_MS = 15_000;
// Obvious test-only tokens and secrets: each robot's whole webhook URL and secret reach
// notifier-chat only through its environment, as the config's ${VAR} references say.
const DING = { token: 'e2e-ding-token-0001', secret: 'SECe2e-ding-secret-0001' };
const FEISHU = { token: 'e2e-feishu-hook-0001', secret: 'e2e-feishu-secret-0001' };
const WECOM = { key: 'e2e-wecom-key-0001' };

/**
 * The directory: alice owns the alert (owner label) and has an id at each provider; bob is the
 * on-call (mandatory), with a phone only; carol has ids too, but nothing picks her.
 */
const PEOPLE = {
  alice: { name: 'alice', phone: '+8613800000021', groups: [], chatIds: { dingtalk: 'ding-alice', feishu: 'ou_alice', wecom: 'alice.w' } },
  bob: { name: 'bob', phone: '+8613800000022', groups: ['oncall'] },
  carol: { name: 'carol', phone: '+8613800000023', groups: [], chatIds: { dingtalk: 'ding-carol', feishu: 'ou_carol', wecom: 'carol.w' } },
};

function configYaml(w: { keyPrefix: string; ingestPort: number; chatOpsPort: number }): string {
  return stringify({
    redis: { keyPrefix: w.keyPrefix },
    queue: { backoff: { baseMs: 200, maxMs: 2000 } },
    // debug: the leak check then covers every line the services can write.
    log: { level: 'debug' },
    users: Object.values(PEOPLE),
    robots: [
      { name: 'db-ding', type: 'dingtalk', webhookUrl: '${E2E_DING_WEBHOOK}', secret: '${E2E_DING_SECRET}' },
      { name: 'db-feishu', type: 'feishu', webhookUrl: '${E2E_FEISHU_WEBHOOK}', secret: '${E2E_FEISHU_SECRET}' },
      { name: 'ops-wecom', type: 'wecom', webhookUrl: '${E2E_WECOM_WEBHOOK}' },
    ],
    mandatory: ['group:oncall', 'robot:ops-wecom'],
    ownerLabel: 'owner',
    routes: [{ name: 'db-team', matchers: ['team="db"'], notify: ['robot:db-ding', 'robot:db-feishu'] }],
    // Chat alone: the mail and SMS paths have their own end-to-end test.
    channels: { email: { enabled: false }, sms: { enabled: false } },
    ingest: { listen: { host: '127.0.0.1', port: w.ingestPort }, auth: { bearerTokens: ['${E2E_INGEST_TOKEN}'] } },
    chat: { listen: { host: '127.0.0.1', port: w.chatOpsPort } },
  });
}

/** "received:firing", "task-created:chat", "notification:chat": one timeline step. */
function step(e: TimelineEvent): string {
  return e.type === 'received' ? `received:${String(e.status)}` : `${e.type}:${String(e.channel)}`;
}

describe('Alertmanager → ingest → notifier-chat → WeCom, DingTalk and Feishu look-alikes (real processes)', () => {
  const token = `e2e-${randomBytes(12).toString('hex')}`;
  let redis: Redis;
  let prefix: string;
  let dir: string;
  let ding: FakeRobotServer;
  let feishu: FakeRobotServer;
  let wecom: FakeRobotServer;
  let am: Alertmanager | undefined;
  const services = new Map<'ingest' | 'notifier-chat', ChildService>();
  const everyone = (): ChildService[] => [...(am ? [am.service] : []), ...services.values()];
  /** On failure, print what every process said: the only way to debug a multi-process test. */
  const dumpOnFailure = (what: string, fn: () => Promise<void>) => withTranscripts(what, everyone, fn);

  beforeAll(
    () =>
      dumpOnFailure('chat e2e setup', async () => {
        requireAlertmanager();
        requireCompiled([SERVICE_MAIN.ingest, SERVICE_MAIN['notifier-chat']]);
        redis = testRedis();
        prefix = uniquePrefix('e2e-chat');
        dir = mkdtempSync(path.join(tmpdir(), 'alertgw-e2e-chat-'));
        [ding, feishu, wecom] = await Promise.all([startFakeDingtalk(), startFakeFeishu(), startFakeWecom()]);
        ding.robot(DING.token, DING.secret);
        feishu.robot(FEISHU.token, FEISHU.secret);
        wecom.robot(WECOM.key);
        const [ingestPort, chatOpsPort] = [await freePort(), await freePort()];
        const configFile = path.join(dir, 'config.yaml');
        writeFileSync(configFile, configYaml({ keyPrefix: prefix, ingestPort, chatOpsPort }));

        const common = { CONFIG: configFile, REDIS_URL: testRedisUrl(), E2E_INGEST_TOKEN: token };
        services.set('ingest', startChild('ingest', process.execPath, [SERVICE_MAIN.ingest], { env: childEnv(common), cwd: dir }));
        // Only notifier-chat gets the robots' URLs and secrets.
        const chatEnv = childEnv({
          ...common,
          E2E_DING_WEBHOOK: `${ding.url}/robot/send?access_token=${DING.token}`,
          E2E_DING_SECRET: DING.secret,
          E2E_FEISHU_WEBHOOK: `${feishu.url}/open-apis/bot/v2/hook/${FEISHU.token}`,
          E2E_FEISHU_SECRET: FEISHU.secret,
          E2E_WECOM_WEBHOOK: `${wecom.url}/cgi-bin/webhook/send?key=${WECOM.key}`,
        });
        services.set('notifier-chat', startChild('notifier-chat', process.execPath, [SERVICE_MAIN['notifier-chat']], { env: chatEnv, cwd: dir }));
        const settled = await Promise.allSettled([
          services.get('ingest')!.waitReady(`http://127.0.0.1:${ingestPort}/readyz`, WAIT_MS),
          services.get('notifier-chat')!.waitReady(`http://127.0.0.1:${chatOpsPort}/readyz`, WAIT_MS),
          startAlertmanager({ dir, webhookUrl: `http://127.0.0.1:${ingestPort}/webhook/alertmanager`, token, env: childEnv({}) }).then((a) => {
            am = a;
          }),
        ]);
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
      }),
    30_000,
  );

  afterAll(async () => {
    await Promise.all(everyone().map((s) => s.stop(5_000)));
    await Promise.all([ding?.close(), feishu?.close(), wecom?.close()]);
    if (redis) {
      await deleteKeys(redis, prefix);
      await redis.quit();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('one signed message per robot per group notification, mentioning the owner and the on-call, then the resolved one; clean exits', () =>
    dumpOnFailure('chat e2e test', async () => {
      const startsAt = new Date().toISOString();
      const group: PostableAlert[] = ['db-1', 'db-2'].map((instance) => ({
        labels: { alertname: ALERTNAME, team: 'db', severity: 'critical', instance, owner: 'alice' },
        annotations: { summary: `replication lag on ${instance}` },
        startsAt,
        generatorURL: 'http://prometheus.example/graph',
      }));
      const fakes = { ding, feishu, wecom };
      const accepted = () => Object.fromEntries(Object.entries(fakes).map(([k, f]) => [k, f.accepted().length]));

      // --- firing ---------------------------------------------------------------------------
      await am!.postAlerts(group);
      const fingerprints = (await am!.alerts()).filter((a) => a.labels.alertname === ALERTNAME).map((a) => a.fingerprint);
      expect(fingerprints).toHaveLength(2);
      await waitFor(() => Object.values(accepted()).every((n) => n >= 1), WAIT_MS, 'a message at each robot');
      // Every request was accepted: tokens known, signatures (DingTalk, Feishu) and bodies valid.
      for (const f of Object.values(fakes)) expect(f.requests.map((r) => r.code)).toEqual([0]);
      const firing = { ding: ding.accepted()[0]!, feishu: feishu.accepted()[0]!, wecom: wecom.accepted()[0]! };
      expect(firing.ding.token).toBe(DING.token);
      expect(firing.feishu.token).toBe(FEISHU.token);
      expect(firing.wecom.token).toBe(WECOM.key);
      for (const r of Object.values(firing)) {
        const text = JSON.stringify(r.body);
        expect(text).toContain(ALERTNAME);
        expect(text).toContain('replication lag on db-1');
        expect(text).toContain('replication lag on db-2');
        // carol has ids at every provider, but no rule picked her.
        expect(text).not.toMatch(/carol|8613800000023/);
      }
      // Mentions come from the owner label (alice: by her id at each provider) and the on-call
      // (bob: no ids, so by phone where the provider mentions by phone).
      expect(firing.ding.body.at).toEqual({ atMobiles: ['13800000022'], atUserIds: ['ding-alice'], isAtAll: false });
      expect(JSON.stringify(firing.feishu.body)).toContain('<at id=ou_alice></at>');
      expect(JSON.stringify(firing.wecom.body)).toContain('<@alice.w>');

      const timelineOf = async (fp: string) => (await getAlert(redis, prefix, fp))?.timeline ?? [];
      await waitFor(async () => (await Promise.all(fingerprints.map(timelineOf))).every((t) => t.some((e) => step(e) === 'notification:chat')), WAIT_MS, 'the chat notification event on both alerts');

      // --- resolved -------------------------------------------------------------------------
      await am!.postAlerts(group.map((a) => ({ ...a, endsAt: new Date(Date.now() - 100).toISOString() })));
      await waitFor(() => Object.values(accepted()).every((n) => n >= 2), WAIT_MS, 'the resolved message at each robot');
      for (const f of Object.values(fakes)) expect(JSON.stringify(f.accepted()[1]!.body)).toContain(ALERTNAME);
      await waitFor(async () => (await Promise.all(fingerprints.map(timelineOf))).every((t) => t.length >= 6), WAIT_MS, 'the resolved chat notification event on both alerts');

      for (const fp of fingerprints) {
        const tl = await timelineOf(fp);
        expect(tl.map(step)).toEqual(['received:firing', 'task-created:chat', 'notification:chat', 'received:resolved', 'task-created:chat', 'notification:chat']);
        // Timelines are for people reading an alert: no full phone number.
        for (const p of Object.values(PEOPLE)) expect(JSON.stringify(tl)).not.toContain(p.phone.slice(1));
      }
      const counts = await new TaskQueue({ redis, prefix, name: 'chat' }).counts();
      expect(counts).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 2 });

      // --- shutdown: Alertmanager, ingest, then the notifier; nothing more is posted ----------
      const exits = [await am!.service.stop(), await services.get('ingest')!.stop(), await services.get('notifier-chat')!.stop()];
      for (const exit of exits) expect({ code: exit.code, signal: exit.signal, killed: exit.killed }).toEqual({ code: 0, signal: null, killed: false });
      expect(accepted()).toEqual({ ding: 2, feishu: 2, wecom: 2 });

      // --- logs: no robot token or secret, no full phone number, in any line of either service ---
      const secrets = [DING.token, DING.secret, FEISHU.token, FEISHU.secret, WECOM.key, token];
      const numbers = Object.values(PEOPLE).map((p) => p.phone.slice(1));
      for (const s of services.values()) {
        const leaks = s.lines().filter((l) => secrets.some((x) => l.includes(x)) || numbers.some((n) => l.includes(n)));
        expect({ service: s.name, leaks }).toEqual({ service: s.name, leaks: [] });
      }
    }),
  45_000);
});
