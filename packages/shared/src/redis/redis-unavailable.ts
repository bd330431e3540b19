import { GatewayError } from '../errors';

/**
 * Redis error replies that mean "not now": the server is loading, busy with a script,
 * a read-only replica after a failover, a cluster without a slot owner, out of memory.
 * The same command will succeed later. Every other error reply (a script error, WRONGTYPE,
 * a syntax error) would fail again identically and is not listed.
 * https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors
 */
const TRANSIENT_REPLIES = /^(LOADING|BUSY|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|NOREPLICAS|MOVED|ASK|OOM)\b/;

/**
 * ioredis's ways of saying "not connected": offline queue off, closed socket, command timeout,
 * and the unanswered rest of a pipeline the connection closed under (AbortError).
 */
const CONNECTION_MESSAGES = /Stream isn't writeable|Connection is closed|Command timed out|Reached the max retries|Command aborted due to connection close/;

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when `err` says Redis is unreachable or temporarily unable to serve (worth a 503 and
 * a retry), false for a reply that will come back the same however often it is retried
 * (Redis 7 passes an error raised inside a script on with its own leading code, e.g.
 * "WRONGTYPE … script: …", so only that code counts, never words further on).
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (err instanceof GatewayError) return err.code === 'REDIS_UNAVAILABLE';
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (err.name === 'ReplyError') return TRANSIENT_REPLIES.test(err.message);
  return CONNECTION_MESSAGES.test(err.message) || /^(connect )?(ECONNREFUSED|ECONNRESET|ETIMEDOUT)\b/.test(err.message);
}
