import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GatewayError } from '@alertgw/shared';
import type { MatchJob, MatchReply } from './match-job';

/** Runs matching jobs on worker threads, each within a deadline. */
export interface MatchPool {
  /**
   * Runs `job` on an idle worker and resolves with its result and the worker time it took. Past
   * `deadlineMs` of worker time the worker is terminated (that stops RE2 mid-match) and this rejects
   * with GatewayError BAD_REQUEST, details.deadline; with every worker busy for `waitMs` (or a new
   * one not started within `startMs`, or one dying mid-job), with GatewayError BUSY (retryable).
   */
  run<T>(job: MatchJob, deadlineMs: number): Promise<{ result: T; ms: number }>;
  /** Terminates every worker (a later run() starts new ones). */
  close(): Promise<void>;
}

/** Pool sizing. */
export interface MatchPoolOptions {
  /** Workers at most; one hung job then holds only one of them. */
  maxWorkers?: number;
  /** How long a job may wait for a free worker before BUSY. */
  waitMs?: number;
  /** How long a new worker may take to start (load re2-wasm) before BUSY. */
  startMs?: number;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: boolean;
}

// Under ts-jest the pool is a .ts file and there is no match-worker.js beside it: the worker thread
// then transpiles the TypeScript sources itself (types dropped, no checking) as it requires them.
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const ts = require(workerData.typescript);
const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false };
require.extensions['.ts'] = (module, file) =>
  module._compile(ts.transpileModule(fs.readFileSync(file, 'utf8'), { fileName: file, compilerOptions: options }).outputText, file);
require(workerData.entry);
`;

function spawn(): Worker {
  const ext = extname(__filename);
  const entry = join(__dirname, `match-worker${ext}`);
  const worker =
    ext === '.ts'
      ? new Worker(TS_BOOTSTRAP, { eval: true, workerData: { entry, typescript: require.resolve('typescript') } })
      : new Worker(entry);
  worker.unref(); // an idle worker never keeps the process alive
  return worker;
}

/**
 * A lazily started pool of matching workers: request-supplied regexps meet label values there,
 * never on the event loop, and a match past its deadline is stopped by terminating its worker
 * (re2-wasm cannot be interrupted otherwise); the next job starts a fresh one.
 */
export function createMatchPool(opts: MatchPoolOptions = {}): MatchPool {
  const maxWorkers = opts.maxWorkers ?? 2;
  const waitMs = opts.waitMs ?? 5_000;
  const startMs = opts.startMs ?? 5_000;
  const slots = new Set<Slot>();
  const waiting: Array<(slot: Slot) => void> = [];
  let nextId = 0;

  function start(): Slot {
    const worker = spawn();
    const slot: Slot = { worker, busy: true, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('exit', (code) => reject(new Error(`matching worker exited (code ${code}) while starting`)));
    });
    // Listened to for the worker's whole life: an unheard 'error' event would throw in the main thread.
    worker.on('error', () => undefined);
    worker.once('exit', () => slots.delete(slot));
    slots.add(slot);
    return slot;
  }

  function release(slot: Slot): void {
    const next = waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  function discard(slot: Slot): void {
    slots.delete(slot);
    void slot.worker.terminate();
    // Its place is free: a job waiting for a worker gets a new one.
    const next = waiting.shift();
    if (next) next(start());
  }

  async function acquire(): Promise<Slot> {
    for (const slot of slots) {
      if (!slot.busy) {
        slot.busy = true;
        return slot;
      }
    }
    if (slots.size < maxWorkers) return start();
    return new Promise<Slot>((resolve, reject) => {
      const take = (slot: Slot) => {
        clearTimeout(timer);
        resolve(slot);
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(take), 1);
        reject(busy());
      }, waitMs);
      waiting.push(take);
    });
  }

  async function run<T>(job: MatchJob, deadlineMs: number): Promise<{ result: T; ms: number }> {
    const slot = await acquire();
    let startTimer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        slot.ready,
        new Promise((_, reject) => {
          startTimer = setTimeout(() => reject(busy()), startMs);
        }),
      ]);
    } catch (err) {
      discard(slot);
      throw err instanceof GatewayError ? err : busy(err);
    } finally {
      clearTimeout(startTimer);
    }
    const id = nextId++;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        slot.worker.off('message', onMessage);
        slot.worker.off('exit', onExit);
      };
      const onMessage = (reply: MatchReply) => {
        if (reply.id !== id) return;
        done();
        release(slot);
        const ms = performance.now() - started;
        if (reply.ok) resolve({ result: reply.result as T, ms });
        else reject(new GatewayError('BAD_REQUEST', reply.message));
      };
      // A worker that dies mid-job (out of memory, a bug) is replaced; the job may be tried again.
      const onExit = (code: number) => {
        done();
        discard(slot);
        reject(busy(new Error(`matching worker exited (code ${code})`)));
      };
      const timer = setTimeout(() => {
        done();
        discard(slot);
        reject(new GatewayError('BAD_REQUEST', `matching ran past its ${deadlineMs} ms deadline`, { details: { deadline: true } }));
      }, Math.max(0, deadlineMs));
      slot.worker.on('message', onMessage);
      slot.worker.on('exit', onExit);
      slot.worker.postMessage({ id, job });
    });
  }

  return {
    run,
    async close() {
      const all = [...slots];
      slots.clear();
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}

function busy(cause?: unknown): GatewayError {
  return new GatewayError('BUSY', 'every matching worker is busy; retry later', { retryable: true, cause });
}
