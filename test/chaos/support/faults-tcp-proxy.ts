import net from 'node:net';
import { freePort } from '@alertgw/testkit';

/** A loopback TCP proxy a test can turn into a black hole: the harder kind of "Redis unreachable". */
export interface TcpProxy {
  port: number;
  url: string;
  /**
   * From now on nothing passes either way, on open connections and on new ones (still
   * accepted): like a peer behind a dropped route, where connects and writes "succeed" and no
   * answer ever comes, which only a timeout can tell from a slow server.
   */
  blackhole(): void;
  /** Bytes clients sent into the black hole so far: proof that someone was left waiting. */
  readonly swallowed: number;
  /** Connections accepted so far: proof that a client reached (what it takes for) the target. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port forwarding to `target` (host:port); `scheme` names its url. */
export async function startTcpProxy(target: { host: string; port: number }, scheme = 'redis'): Promise<TcpProxy> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let holed = false;
  let swallowed = 0;
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted += 1;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    // A hole reads and drops: a paused socket would let the kernel push back on the writer,
    // which a real dropped route does not do for small writes.
    if (holed) {
      client.on('data', (c: Buffer) => (swallowed += c.length));
      return;
    }
    const upstream = net.connect(target);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      // Once holed the client must not learn that the other side went away.
      if (!holed) client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (c: Buffer) => {
      if (holed) swallowed += c.length;
      else upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      if (!holed) client.write(c);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    blackhole: () => {
      holed = true;
    },
    get swallowed() {
      return swallowed;
    },
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
