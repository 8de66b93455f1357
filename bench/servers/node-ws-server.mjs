// The Node `ws` server of the benchmark, written the way the ws tutorial writes one:
// each message goes back to its sender unchanged (echo, the default), or, with
// --broadcast (or BENCH_MODE=broadcast), to every open client, the sender included.
// Listens on 127.0.0.1 and a free port (--port N to choose one) and names it on stderr as
// `listening on ws://127.0.0.1:PORT`, the line sockpit serve prints.
import { createRequire } from 'node:module';

// `ws` is the copy the interop tests pin (tests/interop/package-lock.json).
const require = createRequire(new URL('../../tests/interop/package.json', import.meta.url));
const { WebSocket, WebSocketServer } = require('ws');

const args = process.argv.slice(2);
const broadcast = args.includes('--broadcast') || process.env.BENCH_MODE === 'broadcast';
const portIndex = args.indexOf('--port');
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 0;

const wss = new WebSocketServer({ host: '127.0.0.1', port });

wss.on('connection', (ws) => {
  ws.on('error', (error) => console.error(`client error: ${error.message}`));
  ws.on('message', (data, isBinary) => {
    if (!broadcast) {
      ws.send(data, { binary: isBinary });
      return;
    }
    for (const client of wss.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

wss.on('listening', () => {
  console.error(`listening on ws://127.0.0.1:${wss.address().port}`);
});

wss.on('error', (error) => {
  console.error(`server error: ${error.message}`);
  process.exit(1);
});

// SIGTERM/SIGINT: close the clients and the listener, then exit (at most 2 s later).
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
