// The benchmark's load client: Node `ws` connections against one server, the same code for
// every server bench/run.mjs compares. One run of one load, then a JSON line on stdout.
//
//   node bench/load.mjs --url ws://127.0.0.1:PORT --load pingpong|pipelined|broadcast
//       [--connections C] [--window W] [--size BYTES] [--warmup S] [--duration S]
//       [--max-messages N]
//
// pingpong   each connection sends one text message, waits for its echo, sends the next
//            (a window of 1); --window W > 1 keeps W messages in flight per connection.
// pipelined  the same with --window messages in flight (default 256).
// broadcast  connection 0 sends, the server sends every message to all C connections
//            (the sender included); at most --window messages are in flight, a message
//            being in flight until every connection has it.
//
// Every echo and delivery must equal, byte for byte and in order, the message sent.
// Counts are taken over --duration seconds after --warmup seconds of the same traffic; the
// run then stops sending, waits (at most 5 s) for what is in flight, and closes. Sends stop
// at --max-messages in any case, and the process exits on its own after a fixed deadline.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/interop/package.json', import.meta.url));
const WebSocket = require('ws');

const OPEN_TIMEOUT_MS = 15000;
const DRAIN_TIMEOUT_MS = 5000;
const CLOSE_TIMEOUT_MS = 2000;
const OPEN_BATCH = 25;
const TEXT = { binary: false };

function parseArgs(argv) {
  const options = {
    url: null,
    load: 'pingpong',
    connections: 1,
    window: null,
    size: 64,
    warmup: 1,
    duration: 4,
    maxMessages: 50_000_000,
  };
  const numeric = {
    '--connections': 'connections',
    '--window': 'window',
    '--size': 'size',
    '--warmup': 'warmup',
    '--duration': 'duration',
    '--max-messages': 'maxMessages',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--url') options.url = value;
    else if (arg === '--load') options.load = value;
    else if (arg in numeric) options[numeric[arg]] = Number(value);
    else throw new Error(`unknown argument: ${arg}`);
    i++;
  }
  if (!options.url) throw new Error('--url is required');
  if (!['pingpong', 'pipelined', 'broadcast'].includes(options.load))
    throw new Error(`--load: expected pingpong, pipelined or broadcast, got ${options.load}`);
  if (options.window === null)
    options.window = { pingpong: 1, pipelined: 256, broadcast: 32 }[options.load];
  for (const key of ['connections', 'window', 'size', 'maxMessages']) {
    if (!Number.isInteger(options[key]) || options[key] < 1)
      throw new Error(`--${key}: expected a positive whole number`);
  }
  if (options.connections > 1000) throw new Error('--connections: at most 1000');
  if (options.window > 4096) throw new Error('--window: at most 4096');
  for (const key of ['warmup', 'duration']) {
    if (!(options[key] >= 0 && options[key] <= 600)) throw new Error(`--${key}: 0 to 600 seconds`);
  }
  if (options.duration === 0) throw new Error('--duration: must be more than 0');
  return options;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A text payload of exactly `size` bytes (ASCII), distinct per tag.
function payload(tag, size) {
  const text = `${tag}:`.padEnd(size, 'x');
  return Buffer.from(text.length > size ? text.slice(0, size) : text);
}

// Resolves when `predicate()` holds (checked every 10 ms) or after `ms`; true if it held.
async function until(predicate, ms) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() >= deadline) return false;
    await sleep(10);
  }
  return true;
}

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: OPEN_TIMEOUT_MS });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

// Opens `count` connections, OPEN_BATCH at a time (a burst of 100 SYNs can overflow a
// listen backlog and cost a one-second retransmission).
async function openAll(url, count) {
  const sockets = [];
  for (let first = 0; first < count; first += OPEN_BATCH) {
    const batch = [];
    for (let i = first; i < Math.min(count, first + OPEN_BATCH); i++) batch.push(open(url));
    sockets.push(...(await Promise.all(batch)));
  }
  for (const ws of sockets) ws.on('error', () => {});
  return sockets;
}

async function closeAll(sockets) {
  const closed = sockets.map(
    (ws) => new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) resolve();
      else ws.once('close', resolve);
    }),
  );
  for (const ws of sockets) {
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
  }
  const all = Promise.all(closed);
  const timeout = sleep(CLOSE_TIMEOUT_MS).then(() => false);
  const done = await Promise.race([all.then(() => true), timeout]);
  if (!done) for (const ws of sockets) ws.terminate();
}

// Shared by the loads: the failure (the first one wins) and the counter the timers sample.
class Run {
  constructor(options) {
    this.options = options;
    this.received = 0; // echoes or deliveries
    this.sent = 0;
    this.stopping = false;
    this.failure = null;
  }

  fail(message) {
    if (!this.failure) this.failure = message;
    this.stopping = true;
  }

  mayContinue() {
    return !this.stopping && this.sent < this.options.maxMessages;
  }
}

// Echo loads: every connection keeps `window` messages in flight and checks each echo
// against the message sent in that place.
function startEcho(run, sockets) {
  const { window, size } = run.options;
  const ringSize = Math.max(window, 8);
  const connections = sockets.map((ws, index) => {
    const ring = [];
    for (let slot = 0; slot < ringSize; slot++) ring.push(payload(`c${index}m${slot}`, size));
    const connection = { ws, ring, sent: 0, received: 0 };
    ws.on('message', (data, isBinary) => {
      const expected = ring[connection.received % ringSize];
      if (isBinary || !expected.equals(data)) {
        run.fail(`connection ${index}: echo ${connection.received} differs from what was sent`);
        return;
      }
      connection.received++;
      run.received++;
      if (run.mayContinue()) {
        ws.send(ring[connection.sent % ringSize], TEXT);
        connection.sent++;
        run.sent++;
      }
    });
    ws.on('close', () => {
      if (!run.stopping) run.fail(`connection ${index} closed during the run`);
    });
    return connection;
  });
  for (const connection of connections) {
    for (let i = 0; i < window && run.mayContinue(); i++) {
      connection.ws.send(connection.ring[connection.sent % ringSize], TEXT);
      connection.sent++;
      run.sent++;
    }
  }
  return () => connections.every((c) => c.received === c.sent);
}

// Broadcast: connection 0 sends; a message is complete once every connection received it.
// First a probe is repeated until every connection has seen one, so that the server counts
// all of them as open before the first measured message.
async function startBroadcast(run, sockets) {
  const { window, size } = run.options;
  const probe = Buffer.from('probe');
  const ringSize = Math.max(window * 2, 8);
  const ring = [];
  for (let slot = 0; slot < ringSize; slot++) ring.push(payload(`b${slot}`, size));
  const deliveries = new Uint16Array(ringSize); // per message in flight: connections that have it
  const receivers = sockets.length;
  const sender = sockets[0];
  let completed = 0;
  let probed = 0;

  const pump = () => {
    while (run.mayContinue() && run.sent - completed < window) {
      sender.send(ring[run.sent % ringSize], TEXT);
      run.sent++;
    }
  };

  sockets.forEach((ws, index) => {
    let next = 0;
    let sawProbe = false;
    ws.on('message', (data, isBinary) => {
      if (!isBinary && data.length === probe.length && probe.equals(data)) {
        if (!sawProbe) {
          sawProbe = true;
          probed++;
        }
        return;
      }
      const slot = next % ringSize;
      if (isBinary || !ring[slot].equals(data)) {
        run.fail(`connection ${index}: delivery ${next} differs from what was sent`);
        return;
      }
      next++;
      run.received++;
      deliveries[slot]++;
      while (deliveries[completed % ringSize] === receivers) {
        deliveries[completed % ringSize] = 0;
        completed++;
      }
      pump();
    });
    ws.on('close', () => {
      if (!run.stopping) run.fail(`connection ${index} closed during the run`);
    });
  });

  const probeDeadline = Date.now() + OPEN_TIMEOUT_MS;
  while (probed < receivers && Date.now() < probeDeadline) {
    sender.send(probe, TEXT);
    await until(() => probed === receivers, 50);
  }
  if (probed < receivers) {
    run.fail(`only ${probed} of ${receivers} connections received the probe broadcast`);
    return () => true;
  }
  await sleep(100); // let the last probes arrive before counting starts
  pump();
  return () => completed === run.sent;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  // Whatever happens, this process ends on its own.
  const deadlineMs =
    (options.warmup + options.duration) * 1000 + OPEN_TIMEOUT_MS * 2 + DRAIN_TIMEOUT_MS + 10000;
  setTimeout(() => {
    process.stdout.write(`${JSON.stringify({ ok: false, error: 'deadline exceeded' })}\n`);
    process.exit(1);
  }, deadlineMs).unref();

  const run = new Run(options);
  const sockets = await openAll(options.url, options.connections);
  const drained =
    options.load === 'broadcast' ? await startBroadcast(run, sockets) : startEcho(run, sockets);

  const started = performance.now();
  await sleep(options.warmup * 1000);
  const fromTime = performance.now();
  const fromCount = run.received;
  const fromSent = run.sent;
  await sleep(options.duration * 1000);
  const toTime = performance.now();
  const toCount = run.received;
  const toSent = run.sent;
  const failedDuringRun = run.failure;
  run.stopping = true;
  const drainedInTime = await until(drained, DRAIN_TIMEOUT_MS);
  await closeAll(sockets);

  const seconds = (toTime - fromTime) / 1000;
  const result = {
    ok: !failedDuringRun && drainedInTime,
    load: options.load,
    connections: options.connections,
    window: options.window,
    size: options.size,
    seconds: Number(seconds.toFixed(3)),
    warmupSeconds: Number(((fromTime - started) / 1000).toFixed(3)),
    received: toCount - fromCount,
    sent: toSent - fromSent,
    perSecond: (toCount - fromCount) / seconds,
    sentPerSecond: (toSent - fromSent) / seconds,
  };
  if (failedDuringRun) result.error = failedDuringRun;
  else if (!drainedInTime) result.error = 'messages in flight did not arrive within 5 s';
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(result.ok ? 0 : 1);
}

main().catch((error) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error: error.message })}\n`);
  process.exit(1);
});
