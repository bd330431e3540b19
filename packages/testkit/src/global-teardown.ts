/** Jest global teardown: stop the private Redis if global setup started one. */
export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __alertgwRedis?: { stop(): Promise<void> } }).__alertgwRedis;
  await redis?.stop();
}
