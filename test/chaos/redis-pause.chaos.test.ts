import { Writable } from 'node:stream';
import Redis from 'ioredis';
import winston from 'winston';
import { TaskQueue, Worker, type ChannelHandler, type RecipientResult } from '@alertgw/shared';
import { startRedisProcess, uniquePrefix, waitFor, type RedisProcess } from '@alertgw/testkit';

/** Short, so a pause of a few seconds is several leases long. */
const LEASE_MS = 1000;
/** CLIENT PAUSE length: three leases, so A's lease has certainly expired by Redis TIME when it ends. */
const PAUSE_MS = 3 * LEASE_MS;
const RECIPIENT = 'oncall@example.com';

type Payload = { recipients: Array<{ name: string; address: string; rules: string[] }> };

/** One message the provider accepted: who sent it, for which claim. */
interface Delivery {
  worker: string;
  taskId: string;
  token: string;
  at: number;
}

/** A worker with its own connection, its log lines, and a send we can hold open at the "provider". */
interface Rig {
  name: string;
  conn: Redis;
  worker: Worker<Payload>;
  logs: string[];
  /** Resolves once this worker's send() has begun. */
  started: Promise<void>;
  /** Lets the held send reach the provider (it is delivered then). */
  release(): void;
  /** Set when the send was aborted before it reached the provider. */
  aborted: boolean;
}

/**
 * Redis paused (CLIENT PAUSE ... ALL) for longer than the lease while worker A holds a task.
 * Nothing can be written during a pause, so a takeover can only happen after it, when A's lease
 * has expired by Redis TIME. To make B's claim the first command Redis runs after the pause,
 * the pause is issued on B's connection and B starts in the same tick: its claim is queued
 * behind the pause before A's next renewal or ack can be.
 */
describe('Redis paused longer than the lease (real redis-server, CLIENT PAUSE)', () => {
  let server: RedisProcess;
  let admin: Redis;
  let prefix: string;
  const rigs: Rig[] = [];
  const inbox: Delivery[] = [];

  const rig = (name: string, hold: boolean): Rig => {
    const conn = new Redis(server.url, { maxRetriesPerRequest: 3 });
    const logs: string[] = [];
    const logger = winston.createLogger({
      transports: [new winston.transports.Stream({ stream: new Writable({ write: (c: Buffer, _e, done) => (logs.push(c.toString()), done()) }) })],
    });
    let markStarted!: () => void;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r: Rig = { name, conn, logs, release: () => release(), aborted: false, started: new Promise((s) => (markStarted = s)), worker: undefined as never };
    const handler: ChannelHandler<Payload> = {
      async send(task, pending, signal) {
        markStarted();
        if (hold) {
          // Held at the provider until the test lets go; an abort first means nothing was sent.
          await new Promise<void>((resolve, reject) => {
            const onAbort = () => {
              r.aborted = true;
              reject(signal.reason);
            };
            if (signal.aborted) return onAbort();
            signal.addEventListener('abort', onAbort, { once: true });
            void gate.then(() => {
              signal.removeEventListener('abort', onAbort);
              resolve();
            });
          });
        }
        inbox.push({ worker: name, taskId: task.id, token: task.token, at: Date.now() });
        const at = new Date().toISOString();
        return { results: Object.fromEntries(pending.map((a): [string, RecipientResult] => [a, { status: 'delivered', at }])) };
      },
    };
    const queue = new TaskQueue<Payload>({ redis: conn, prefix, name: 'email', leaseMs: LEASE_MS, backoff: { baseMs: 100, maxMs: 500 } });
    r.worker = new Worker({ queue, handler, logger, workerId: name, blockTimeoutMs: 500 });
    rigs.push(r);
    return r;
  };

  /** Pauses Redis from B's connection and starts B in the same tick: B's claim is first in line. */
  const pauseThenStart = async (b: Rig): Promise<number> => {
    await b.conn.ping();
    const pausedAt = Date.now();
    const paused = b.conn.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    b.worker.start();
    await paused;
    return pausedAt;
  };

  const enqueue = async () => {
    const q = new TaskQueue<Payload>({ redis: admin, prefix, name: 'email', leaseMs: LEASE_MS });
    const { id } = await q.enqueue({ payload: { recipients: [{ name: 'oncall', address: RECIPIENT, rules: [] }] }, severityRank: 0 });
    return { q, id };
  };

  /** One task, claimed by worker A, whose send is held until a.release(); B rigged but not started. */
  const heldByA = async () => {
    const { q, id } = await enqueue();
    const a = rig('A', true);
    a.worker.start();
    await a.started;
    const first = (await q.get(id))!;
    return { q, id, a, first, b: rig('B', false) };
  };

  beforeAll(async () => {
    server = await startRedisProcess();
    admin = new Redis(server.url, { maxRetriesPerRequest: 3 });
  });
  beforeEach(() => {
    prefix = uniquePrefix('chaos-pause');
    inbox.length = 0;
  });
  afterEach(async () => {
    await Promise.all(rigs.splice(0).map(async (r) => {
      await r.worker.close(1000);
      r.conn.disconnect();
    }));
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('A paused mid-send: B takes over after the pause, A is fenced off and aborted, one message', async () => {
    const { q, id, a, first, b } = await heldByA();
    const pausedAt = await pauseThenStart(b);
    await waitFor(() => inbox.some((d) => d.worker === 'B'), 15_000, 'B to deliver');
    await waitFor(() => a.aborted, 5_000, "A's send to be aborted");
    // A's send would have finished now: the provider takes nothing from an aborted claim.
    a.release();
    const done = await waitFor(async () => {
      const t = await q.get(id);
      return t?.status === 'completed' ? t : null;
    }, 5_000, 'completion');
    const bDelivery = inbox.find((d) => d.worker === 'B')!;
    process.stdout.write(
      `chaos redis-pause [mid-send]: lease ${LEASE_MS} ms, pause ${PAUSE_MS} ms; B claimed ${bDelivery.at - pausedAt} ms after the pause began; ` +
        `tokens A=${first.token} B=${done.token}; A aborted=${a.aborted}; messages to the recipient: ${inbox.length}; attempts ${done.attempts}\n`,
    );
    expect(inbox.map((d) => d.worker)).toEqual(['B']);
    expect(bDelivery.at - pausedAt).toBeGreaterThanOrEqual(PAUSE_MS - 50);
    expect(Number(done.token)).toBeGreaterThan(Number(first.token));
    expect(done.owner).toBe('B');
    expect(a.logs.some((l) => l.includes('lease lost; aborting task'))).toBe(true);
    expect(await q.counts()).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 1 });
  });

  it('A finishes its send during the pause: its ack is refused by fencing, and B sends again (the at-least-once window)', async () => {
    const { q, id, a, first, b } = await heldByA();
    const pausedAt = await pauseThenStart(b);
    // The provider accepts A's message while Redis is paused; A's ack waits behind B's claim.
    a.release();
    await waitFor(() => inbox.length === 2, 15_000, 'both messages');
    await waitFor(() => a.logs.some((l) => l.includes('settle refused')), 5_000, "A's refused ack");
    const done = await waitFor(async () => {
      const t = await q.get(id);
      return t?.status === 'completed' ? t : null;
    }, 5_000, 'completion');
    const [fromA, fromB] = inbox;
    process.stdout.write(
      `chaos redis-pause [ack-in-pause]: lease ${LEASE_MS} ms, pause ${PAUSE_MS} ms; A delivered ${fromA.at - pausedAt} ms into the pause, its ack refused (fencing); ` +
        `B claimed and delivered ${fromB.at - pausedAt} ms after the pause began; tokens A=${first.token} B=${done.token}; messages to the recipient: ${inbox.length} (1 duplicate)\n`,
    );
    expect(inbox.map((d) => d.worker)).toEqual(['A', 'B']);
    expect(fromA.at - pausedAt).toBeLessThan(PAUSE_MS);
    expect(done.owner).toBe('B');
    expect(Number(done.token)).toBeGreaterThan(Number(first.token));
    expect(a.aborted).toBe(false);
    expect(await q.counts()).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 1 });
  });

  it('A finishes its send during the pause and its ack comes first: accepted although the lease expired, B finds nothing, one message', async () => {
    const { q, id, a, first, b } = await heldByA();
    await b.conn.ping();
    const pausedAt = Date.now();
    await admin.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    a.release();
    await waitFor(() => inbox.length === 1, 5_000, "A's message");
    // One turn of the event loop: A's ack (sent on the next tick after its send returned) is on
    // the wire before B's claim, so Redis runs it first when the pause ends.
    await new Promise((r) => setImmediate(r));
    b.worker.start();
    const done = await waitFor(async () => {
      const t = await q.get(id);
      return t?.status === 'completed' ? t : null;
    }, 15_000, 'completion');
    const answeredAt = Date.now();
    // A PING on B's connection is answered after the claim B queued during the pause: that claim
    // has run, and had the task been up for grabs, B would hold it now.
    await b.conn.ping();
    await b.worker.close(1000);
    process.stdout.write(
      `chaos redis-pause [ack-first]: lease ${LEASE_MS} ms, pause ${PAUSE_MS} ms; A delivered ${inbox[0].at - pausedAt} ms into the pause, its ack answered ${answeredAt - pausedAt} ms after the pause began and ` +
        `${done.token === first.token ? 'accepted (lease expired by Redis TIME, nobody had taken over)' : 'REFUSED'}; completing token ${done.token}; messages to the recipient: ${inbox.length}\n`,
    );
    expect(answeredAt - pausedAt).toBeGreaterThanOrEqual(PAUSE_MS - 50);
    expect(inbox.map((d) => d.worker)).toEqual(['A']);
    expect(done.owner).toBe('A');
    expect(done.token).toBe(first.token);
    expect(a.logs.some((l) => l.includes('settle refused') || l.includes('lease lost'))).toBe(false);
    expect(await q.counts()).toMatchObject({ pending: 0, active: 0, delayed: 0, dead: 0, completed: 1 });
  });
});
