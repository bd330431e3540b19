'use strict';
// A mail relay look-alike for bench/storm, run as its own process (fork) so its CPU is nobody's:
// a real smtp-server that, like corporate relays and hosted mail, takes at most `maxPerClient`
// concurrent connections from one client address and answers 421 to the ones beyond (counted
// at TCP accept, as a relay counts them), and takes `delayMs` to accept each message.
// It tells the parent over IPC: {port} when listening; on 'stats', every mail (ms epoch of its
// acceptance, subject), the 421s sent, the most concurrent connections one client held, and the
// reads from client sockets (what arrived together: ~ the client's writes, one per round trip).
// With {trace: true} (off by default; STORM_RELAY_TRACE=1 in run.js) it also records, per
// connection, when each command and message arrived and each reply went (ms, sub-ms precision),
// so run.js can tell where a connection's time goes; the relay behaves the same either way.

const { SMTPServer } = require('smtp-server');

const spec = JSON.parse(process.argv[2] ?? '{}');
const maxPerClient = spec.maxPerClient ?? 10;
const delayMs = spec.delayMs ?? 20;
const trace = spec.trace === true;
const now = () => performance.timeOrigin + performance.now();
/** trace: per connection id, its events in order ([kind, ms]): open, mail (MAIL FROM read), data (354 sent), end (the dot read), ok (250 sent). */
const traces = new Map();
const mark = (id, kind) => {
  if (!trace) return;
  let list = traces.get(id);
  if (!list) traces.set(id, (list = []));
  list.push([kind, now()]);
};

/** Open TCP connections per client address. */
const open = new Map();
/** Sockets accepted beyond the limit, by "address:port": refused with 421 in onConnect. */
const overLimit = new Set();
const mails = [];
let refused421 = 0;
let maxConcurrent = 0;
let reads = 0;

const SUBJECT = /^Subject:[ \t]*([^\r\n]*)/im;

const server = new SMTPServer({
  logger: false,
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  size: 10 * 1024 * 1024,
  onConnect(session, callback) {
    const key = `${session.remoteAddress}:${session.remotePort}`;
    if (overLimit.delete(key)) {
      refused421++;
      return callback(Object.assign(new Error('4.7.0 Too many concurrent connections from your address, try again later'), { responseCode: 421 }));
    }
    mark(session.id, 'open');
    callback();
  },
  // Only when tracing: otherwise smtp-server's own (which accepts every sender) stays.
  ...(trace
    ? {
        onMailFrom(_address, session, callback) {
          mark(session.id, 'mail');
          setImmediate(callback); // as smtp-server's own does
        },
      }
    : {}),
  onData(stream, session, callback) {
    // smtp-server sends the 354 right after calling onData.
    mark(session.id, 'data');
    let head = '';
    stream.on('data', (chunk) => {
      if (head.length < 8192) head += chunk.toString('utf8');
    });
    stream.on('end', () => {
      mark(session.id, 'end');
      // The relay's own work per message (queueing, scanning), during which the connection waits.
      setTimeout(() => {
        mails.push({ at: Date.now(), subject: SUBJECT.exec(head)?.[1] ?? '' });
        mark(session.id, 'ok');
        callback(null, 'queued');
      }, delayMs);
    });
  },
});
server.on('error', () => undefined);
server.server.on('connection', (socket) => {
  const address = socket.remoteAddress;
  const now = (open.get(address) ?? 0) + 1;
  open.set(address, now);
  if (now > maxPerClient) overLimit.add(`${address}:${socket.remotePort}`);
  else maxConcurrent = Math.max(maxConcurrent, now);
  const port = socket.remotePort;
  socket.on('data', () => reads++);
  socket.once('close', () => {
    open.set(address, open.get(address) - 1);
    overLimit.delete(`${address}:${port}`);
  });
});

server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));

process.on('message', (m) => {
  if (m === 'stats') process.send({ mails, refused421, maxConcurrent, reads, ...(trace ? { traces: [...traces.values()] } : {}) });
  else if (m === 'reset') {
    mails.length = 0;
    refused421 = 0;
    maxConcurrent = 0;
    reads = 0;
    traces.clear();
  } else if (m === 'stop') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
