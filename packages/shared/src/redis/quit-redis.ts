import type { Cluster, Redis } from 'ioredis';

/** How long a closing client waits for Redis to answer QUIT before dropping the connection. */
export const QUIT_TIMEOUT_MS = 500;

/**
 * Says QUIT and waits for the answer, but not for long: on a hung connection (a dropped route,
 * a paused server) QUIT is never answered and, without a command timeout, `quit()` never
 * settles, so a service asked to stop would hang until SIGKILL. Past `timeoutMs` (or on error)
 * the connection is dropped instead; nothing is lost, since QUIT only ends the session.
 */
export async function quitRedis(client: Redis | Cluster, timeoutMs = QUIT_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const answered = await Promise.race([client.quit().catch(() => 'failed' as const), gaveUp]);
  clearTimeout(timer);
  if (answered !== 'OK') client.disconnect();
}
