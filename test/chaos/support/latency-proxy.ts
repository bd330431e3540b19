import net from 'node:net';

/** A TCP proxy on loopback that answers like a distant provider. */
export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

/**
 * Forwards every connection to 127.0.0.1:`targetPort`, holding each reply chunk back for
 * `delayMs` (requests go through at once). The in-process providers answer in microseconds;
 * real ones take tens of milliseconds per reply, and that is what keeps sends in flight when a
 * notifier is killed. Equal delays keep the chunks in order; a close follows the last chunk.
 */
export async function startLatencyProxy(targetPort: number, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // A killed notifier resets its side: drop the other at once, like a real network would.
      s.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    client.on('data', (chunk) => target.write(chunk));
    client.on('end', () => target.end());
    target.on('data', (chunk) => setTimeout(() => client.writable && client.write(chunk), delayMs));
    target.on('end', () => setTimeout(() => client.end(), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
