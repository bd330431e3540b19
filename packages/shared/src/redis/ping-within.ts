/** How long a readiness probe waits for PING: a hung Redis must not hang the probe. */
export const READY_TIMEOUT_MS = 1000;

/**
 * Resolves when Redis answers PING with PONG within `timeoutMs`; rejects otherwise, saying why.
 * A probe that waited on a black-holed connection would hang until the orchestrator gave up.
 */
export async function pingWithin(redis: { ping(): Promise<string> }, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const reply = await Promise.race([redis.ping(), timeout]);
    if (reply !== 'PONG') throw new Error(`unexpected PING reply ${JSON.stringify(reply).slice(0, 40)}`);
  } finally {
    clearTimeout(timer);
  }
}
