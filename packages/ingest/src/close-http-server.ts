import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How often closing ends the connections that went idle since it began. */
const SWEEP_MS = 100;

/**
 * Tracks the server's connections and returns how to close it gracefully: stop accepting, let
 * the requests in progress finish (for up to `graceMs`), and end every connection with nothing
 * to finish as soon as it has nothing. server.close() alone ends only the connections idle at
 * that instant: one whose request was still running goes idle later and stays for the whole
 * keep-alive timeout (5 min here, for Alertmanager), and one opened ahead of need (no byte
 * received yet) does not count as idle at all, so either would hold shutdown to the end of the
 * grace. Resolves true when every connection ended within `graceMs`.
 */
export function trackForClose(server: Server): (graceMs: number) => Promise<boolean> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return async (graceMs) => {
    const closed = new Promise<boolean>((resolve) => server.close(() => resolve(true)));
    const sweep = () => {
      server.closeIdleConnections();
      for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    };
    sweep();
    const timer = setInterval(sweep, SWEEP_MS);
    let grace: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (grace = setTimeout(() => resolve(false), graceMs)));
    const ended = await Promise.race([closed, late]);
    clearInterval(timer);
    clearTimeout(grace);
    return ended;
  };
}
