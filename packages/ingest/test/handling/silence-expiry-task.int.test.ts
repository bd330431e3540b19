import type Redis from 'ioredis';
import { createLogger, HANDLING_QUEUE, TaskQueue, Worker } from '@alertgw/shared';
import { deleteKeys, freePort, startAlertmanager, testRedis, uniquePrefix, waitFor, type TestAlertmanager } from '@alertgw/testkit';
import { createAlertmanagerClient } from '../../src/handling/alertmanager-client';
import { createHandlingHandler } from '../../src/handling/handling-handler';
import type { HandlingTask } from '../../src/handling/handling-task';

/** A silence expiry is a task on the handling queue: retried by the Worker until Alertmanager confirms. */
describe('an expire-silence handling task', () => {
  let redis: Redis;
  let am: TestAlertmanager;
  const prefix = uniquePrefix('silexp');

  beforeAll(async () => {
    redis = testRedis();
    am = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${await freePort()}/webhook`, token: 'fake-token' });
  });
  afterAll(async () => {
    await am?.stop();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  const worker = (queue: TaskQueue<HandlingTask>, alertmanagerUrl: string) =>
    new Worker<HandlingTask>({
      queue,
      handler: createHandlingHandler({
        alertmanager: createAlertmanagerClient({ url: alertmanagerUrl, timeoutMs: 1000 }),
        logger: createLogger({ service: 'test', level: 'error' }),
      }),
      blockTimeoutMs: 100,
    });

  it('is retried while Alertmanager cannot be reached, and expires the silence once it can', async () => {
    const amApi = createAlertmanagerClient({ url: am.url, timeoutMs: 2000 });
    const silenceId = await amApi.createSilence({ labels: { alertname: 'SilenceExpiryTask' }, endsAt: new Date(Date.now() + 3_600_000), createdBy: 'alice', comment: 'test' });
    const queue = new TaskQueue<HandlingTask>({ redis, prefix, name: HANDLING_QUEUE, backoff: { baseMs: 50, maxMs: 50 } });
    const { id } = await queue.enqueue({ payload: { kind: 'expire-silence', silenceId }, severityRank: 0 });

    const down = worker(queue, `http://127.0.0.1:${await freePort()}`);
    down.start();
    const retried = await waitFor(async () => {
      const t = await queue.get(id);
      return t && t.attempts >= 1 && t.results['expire-silence']?.status === 'retry' ? t : null;
    }, 5000, 'a failed attempt');
    await down.close();
    expect(retried.status).not.toBe('completed');
    expect((await amApi.getSilence(silenceId))!.status.state).toBe('active');

    const up = worker(queue, am.url);
    up.start();
    try {
      const done = await waitFor(async () => {
        const t = await queue.get(id);
        return t?.status === 'completed' ? t : null;
      }, 5000, 'the task to complete');
      expect(done.results['expire-silence']).toMatchObject({ status: 'delivered', detail: { silenceId } });
      expect((await amApi.getSilence(silenceId))!.status.state).toBe('expired');
    } finally {
      await up.close();
    }
  });
});
