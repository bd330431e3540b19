// Entry of a matching worker thread (see match-pool.ts): it evaluates request-supplied regexps and
// label values away from the event loop, so the pool can stop a slow match by terminating it.
import { parentPort } from 'node:worker_threads';
// Deep imports into shared's build, not its index: a worker loads only the resolver and the routing
// explanation (the whole index costs each worker ~0.2 s and ~35 MB more to start).
import { explainRouting } from '@alertgw/shared/dist/handling/explain-routing';
import { matches, newMatcher } from '@alertgw/shared/dist/resolver/matcher';
import type { MatchJob, MatchReply } from './match-job';

function run(job: MatchJob): unknown {
  if (job.op === 'match') {
    const matchers = job.matchers.map((m) => newMatcher(m.type, m.name, m.value));
    return job.labelSets.map((labels) => matches(matchers, labels));
  }
  return explainRouting(job.input);
}

const port = parentPort!;
port.on('message', (message: { id: number; job: MatchJob }) => {
  let reply: MatchReply;
  try {
    reply = { id: message.id, ok: true, result: run(message.job) };
  } catch (err) {
    reply = { id: message.id, ok: false, message: (err as Error).message };
  }
  port.postMessage(reply);
});
// Loading re2-wasm takes a while: the pool starts a job's clock only once the worker is ready.
port.postMessage({ ready: true });
