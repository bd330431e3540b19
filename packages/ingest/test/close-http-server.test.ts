import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { trackForClose } from '../src/close-http-server';

/** Sends one keep-alive request on `socket` and resolves with the status line once the response is in. */
function request(socket: net.Socket, path: string): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString().split('\r\n')[0]));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('trackForClose', () => {
  let server: http.Server;
  let port: number;
  let release: () => void;

  beforeEach(async () => {
    const slow = new Promise<void>((r) => (release = r));
    server = http.createServer((req, res) => {
      // /slow answers when the test says so, like a probe waiting on a hung Redis.
      if (req.url === '/slow') void slow.then(() => res.end('late'));
      else res.end('ok');
    });
    server.keepAliveTimeout = 300_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as net.AddressInfo).port;
  });
  afterEach(() => {
    server.closeAllConnections();
  });

  it('lets a running request finish, then ends its kept-alive connection and a never-used one at once', async () => {
    const close = trackForClose(server);
    const busy = net.connect(port, '127.0.0.1');
    const unused = net.connect(port, '127.0.0.1');
    const idle = net.connect(port, '127.0.0.1');
    await Promise.all([once(busy, 'connect'), once(unused, 'connect'), once(idle, 'connect')]);
    expect(await request(idle, '/fast')).toBe('HTTP/1.1 200 OK');
    const arrived = once(server, 'request');
    const answer = request(busy, '/slow');
    await arrived;

    const started = Date.now();
    const closing = close(10_000);
    await once(unused, 'close');
    await once(idle, 'close');
    // The running request is not cut off: it gets its answer, then its connection ends.
    release();
    expect(await answer).toBe('HTTP/1.1 200 OK');
    await once(busy, 'close');
    expect(await closing).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('gives up after the grace when a request does not finish', async () => {
    const close = trackForClose(server);
    const busy = net.connect(port, '127.0.0.1');
    await once(busy, 'connect');
    const arrived = once(server, 'request');
    void request(busy, '/slow');
    await arrived;
    expect(await close(300)).toBe(false);
    release();
    busy.destroy();
  });
});
