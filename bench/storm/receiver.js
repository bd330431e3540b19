'use strict';
// An instant webhook receiver for bench/storm's run W, as its own process: answers every POST 200
// at once and keeps when each group arrived, so run W shows what Alertmanager alone needs to
// hand the storm over. Tells the parent over IPC: {port} when listening; on 'stats', every
// delivery (ms epoch of its arrival, groupLabels.alertname).

const http = require('node:http');

const deliveries = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    let alertname = '';
    try {
      alertname = JSON.parse(Buffer.concat(chunks).toString('utf8')).groupLabels?.alertname ?? '';
    } catch {
      // Counted with an empty name: the run then shows it as neither critical nor known.
    }
    deliveries.push({ at, subject: alertname });
    res.writeHead(200).end();
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));

process.on('message', (m) => {
  if (m === 'stats') process.send({ deliveries });
  else if (m === 'reset') deliveries.length = 0;
});
process.on('disconnect', () => process.exit(0));
