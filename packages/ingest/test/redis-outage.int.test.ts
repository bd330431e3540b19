import { waitFor } from '@alertgw/testkit';
import { startRedisProcess, type RedisProcess } from '@alertgw/testkit';
import { goJson, loadFixtures, request, startIngest, type Ingest } from './support/harness';

describe('ingest while Redis is away', () => {
  let redis: RedisProcess;
  let ingest: Ingest;
  beforeAll(async () => {
    redis = await startRedisProcess();
    ingest = await startIngest({ redisUrl: redis.url });
  });
  afterAll(async () => {
    await ingest?.close();
    await redis?.stop();
  });

  const fixture = loadFixtures().find((f) => f.name === 'firing-truncated-basic-auth.json')!;
  const post = (groupKey: string) => {
    const body = { ...fixture.body, groupKey };
    return request(ingest.url, 'POST', '/webhook/alertmanager', { ...fixture.headers, 'content-length': String(goJson(body).length) }, goJson(body));
  };

  it('answers 503 with Retry-After while Redis is down and 2xx once it is back, without a restart', async () => {
    expect((await post('before')).status).toBe(200);

    await redis.stop();
    const started = Date.now();
    const down = await post('during');
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('5');
    expect(down.body).toMatchObject({ error: 'redis_unavailable', message: expect.stringMatching(/retry later/) });
    // Fail fast: well inside Alertmanager's request timeout, no offline queue.
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await request(ingest.url, 'GET', '/readyz')).status).toBe(503);
    expect((await request(ingest.url, 'GET', '/healthz')).status).toBe(200);
    expect((await request(ingest.url, 'GET', '/metrics')).status).toBe(200);
    expect(await ingest.registry.getSingleMetricAsString('alertgw_ingest_deliveries_rejected_total')).toMatch(
      /reason="redis_unavailable"} 1/,
    );

    await redis.start();
    await waitFor(async () => (await request(ingest.url, 'GET', '/readyz')).status === 200, 10_000, 'ingest to see Redis again');
    const back = await post('during');
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ duplicate: false, created: { email: 1, sms: 1 } });
    const task = await ingest.queues.get('email')!.get(back.body.tasks.email.id);
    expect(task?.payload.groupKey).toBe('during');
  });
});
