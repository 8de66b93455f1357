// Real Node `ws` clients against `sockpit serve` (issue 3).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const binary = process.env.SOCKPIT_BINARY;
const STEP_MS = 10000;

function withTimeout(promise, what, ms = STEP_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Starts `sockpit serve` on a free port; resolves once the first stderr line names it.
async function serve(args, { listen = '127.0.0.1:0' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sockpit-serve-'));
  const log = join(dir, 'log.jsonl');
  const child = spawn(binary, ['serve', '--listen', listen, '--log', log, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(killer);
    resolve({ code, signal });
  }));
  let stderr = '';
  const url = await withTimeout(new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const firstLine = stderr.split('\n')[0];
      if (stderr.includes('\n')) {
        const match = /^listening on (ws:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):(\d+))$/.exec(firstLine);
        if (match) resolve(match[1]);
        else reject(new Error(`unexpected first line: ${firstLine}`));
      }
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  }), 'listening line');
  const events = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const result = await withTimeout(exited, 'serve exit');
    rmSync(dir, { recursive: true, force: true });
    return result;
  };
  return { url, child, events, exited, stop, stderr: () => stderr };
}

function connect(url, protocols, options) {
  const ws = new WebSocket(url, protocols, options);
  const messages = [];
  ws.on('message', (data, isBinary) => messages.push(isBinary ? data : data.toString()));
  const closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = withTimeout(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }), 'open');
  return { ws, messages, closed, opened };
}

async function until(predicate, what) {
  await withTimeout((async () => {
    while (!predicate()) await new Promise((r) => setTimeout(r, 20));
  })(), what);
}

test('echo applies the reply template', async () => {
  const server = await serve(['--reply', 'Server says: %m']);
  try {
    const client = connect(server.url);
    await client.opened;
    client.ws.send('Hello, server!');
    await until(() => client.messages.length === 1, 'echo');
    assert.equal(client.messages[0], 'Server says: Hello, server!');
    client.ws.close();
    await withTimeout(client.closed, 'close');
  } finally {
    await server.stop();
  }
});

test('broadcast reaches five clients, the sender included', async () => {
  const server = await serve(['--mode', 'broadcast', '--reply', 'Broadcast: %m']);
  try {
    const clients = Array.from({ length: 5 }, () => connect(server.url));
    await Promise.all(clients.map((c) => c.opened));
    await until(() => server.events().filter((e) => e.kind === 'open').length === 5, 'five opens');
    clients[2].ws.send('hi all');
    for (const c of clients) await until(() => c.messages.length === 1, 'broadcast');
    for (const c of clients) assert.equal(c.messages[0], 'Broadcast: hi all');
    await until(() => server.events().some((e) => e.kind === 'broadcast'), 'broadcast event');
    const broadcast = server.events().find((e) => e.kind === 'broadcast');
    assert.equal(broadcast.recipients, 5);
    assert.equal(broadcast.text, 'Broadcast: hi all');
    for (const c of clients) c.ws.close();
    await Promise.all(clients.map((c) => withTimeout(c.closed, 'close')));
  } finally {
    await server.stop();
  }
});

test('subprotocol negotiation follows the server preference', async () => {
  const server = await serve(['--subprotocol', 'json', '--subprotocol', 'chat']);
  try {
    const client = connect(server.url, ['chat', 'json']);
    await client.opened;
    assert.equal(client.ws.protocol, 'json');
    await until(() => server.events().some((e) => e.kind === 'open'), 'open event');
    assert.equal(server.events().find((e) => e.kind === 'open').subprotocol, 'json');
    client.ws.close();
    await withTimeout(client.closed, 'close');
  } finally {
    await server.stop();
  }
});

test('a custom request header appears in the log in wire case', async () => {
  const server = await serve([]);
  try {
    const client = connect(server.url, [], { headers: { 'X-Interop-Probe': 'Node WS' } });
    await client.opened;
    await until(() => server.events().some((e) => e.kind === 'handshake'), 'handshake event');
    const handshake = server.events().find((e) => e.kind === 'handshake');
    assert.ok(handshake.request.headers.some(([n, v]) => n === 'X-Interop-Probe' && v === 'Node WS'),
      JSON.stringify(handshake.request.headers));
    assert.equal(handshake.response.status, 101);
    client.ws.close();
    await withTimeout(client.closed, 'close');
  } finally {
    await server.stop();
  }
});

test('the wire tap records the client ping with its payload, the pong, and frames', async () => {
  const server = await serve([]);
  try {
    const client = connect(server.url);
    await client.opened;
    const ponged = withTimeout(new Promise((resolve) => client.ws.once('pong', resolve)), 'pong');
    client.ws.ping(Buffer.from('node-probe'));
    assert.equal((await ponged).toString(), 'node-probe');
    client.ws.send('framed');
    await until(() => client.messages.length === 1, 'echo');
    await until(() => server.events().filter((e) => e.kind === 'text').length === 2, 'text events');
    const events = server.events();
    const ping = events.find((e) => e.kind === 'ping');
    assert.equal(ping.direction, 'in');
    assert.equal(Buffer.from(ping.base64, 'base64').toString(), 'node-probe');
    assert.deepEqual(ping.frames, [{ opcode: 9, fin: true, rsv: 0, masked: true, length: 10 }]);
    const pong = events.find((e) => e.kind === 'pong');
    assert.equal(pong.direction, 'out');
    assert.equal(Buffer.from(pong.base64, 'base64').toString(), 'node-probe');
    const [textIn, textOut] = events.filter((e) => e.kind === 'text');
    assert.deepEqual(textIn.frames, [{ opcode: 1, fin: true, rsv: 0, masked: true, length: 6 }]);
    assert.deepEqual(textOut.frames, [{ opcode: 1, fin: true, rsv: 0, masked: false, length: 6 }]);
    // The handshake event holds the 101 Qt really sent, extra headers included.
    const handshake = events.find((e) => e.kind === 'handshake');
    assert.ok(handshake.response.headers.some(([name]) => name === 'Server'), JSON.stringify(handshake.response));
    client.ws.close();
    await withTimeout(client.closed, 'close');
  } finally {
    await server.stop();
  }
});

test('close 4001 "bye" is seen by both sides', async () => {
  const server = await serve(['--close-after', '1:4001:bye']);
  try {
    // The client closes first: the server logs the remote close.
    const first = connect(server.url);
    await first.opened;
    first.ws.close(4001, 'bye');
    assert.deepEqual(await withTimeout(first.closed, 'client close'), { code: 4001, reason: 'bye' });
    await until(() => server.events().some((e) => e.kind === 'close'), 'close event');
    const close = server.events().find((e) => e.kind === 'close');
    assert.equal(close.code, 4001);
    assert.equal(close.reason, 'bye');
    assert.equal(close.initiator, 'remote');
    // The server closes after a second: the client sees 4001 "bye".
    const second = connect(server.url);
    await second.opened;
    assert.deepEqual(await withTimeout(second.closed, 'server close'), { code: 4001, reason: 'bye' });
  } finally {
    await server.stop();
  }
});

test('a message over --max-message-size is closed with 1009', async () => {
  const server = await serve(['--max-message-size', '1000']);
  try {
    const client = connect(server.url);
    await client.opened;
    client.ws.send('x'.repeat(5000));
    const { code } = await withTimeout(client.closed, 'close');
    assert.equal(code, 1009);
    await until(() => server.events().some((e) => e.kind === 'close'), 'close event');
    assert.equal(server.events().find((e) => e.kind === 'close').code, 1009);
    assert.ok(server.events().some((e) => e.kind === 'error' && e.id === 'message-too-big'));
  } finally {
    await server.stop();
  }
});

test('a 20 MiB message over the default 16 MiB limit still reaches the client as 1009', async () => {
  // The client is still sending when the server fails the connection: the server must
  // not reset the connection under it, or the Close frame is lost and the client sees 1006.
  const server = await serve([]);
  try {
    const client = connect(server.url);
    await client.opened;
    client.ws.send(Buffer.alloc(20 * 1024 * 1024));
    const { code } = await withTimeout(client.closed, 'close');
    assert.equal(code, 1009);
    await until(() => server.events().some((e) => e.kind === 'close'), 'close event');
    assert.equal(server.events().find((e) => e.kind === 'close').code, 1009);
  } finally {
    await server.stop();
  }
});

test('the server runs on its own network thread; the log is written on the main thread', async () => {
  const server = await serve([]);
  const c = connect(server.url);
  await c.opened;
  c.ws.send('one');
  await until(() => c.messages.length === 1, 'echo');
  // Linux names each thread in /proc; the main thread keeps the program's name.
  const names = readdirSync(`/proc/${server.child.pid}/task`).map((tid) =>
    readFileSync(`/proc/${server.child.pid}/task/${tid}/comm`, 'utf8').trim());
  assert.ok(names.includes('sockpit-network'), names.join(', '));
  assert.equal(names[0], 'sockpit');
  c.ws.close();
  await c.closed;
  await until(() => server.events().some((e) => e.kind === 'close'), 'close in the log');
  assert.deepEqual(await server.stop(), { code: 0, signal: null });
});

test('SIGTERM closes clients with 1001 and exits 0 with a complete log', async () => {
  const server = await serve([]);
  const clients = [connect(server.url), connect(server.url)];
  await Promise.all(clients.map((c) => c.opened));
  await until(() => server.events().filter((e) => e.kind === 'open').length === 2, 'opens');
  server.child.kill('SIGTERM');
  for (const c of clients) assert.equal((await withTimeout(c.closed, 'close')).code, 1001);
  // The exit that follows the one SIGTERM: stop() would send another if it came late.
  const result = await withTimeout(server.exited, 'serve exit');
  const events = server.events();
  await server.stop();
  assert.deepEqual(result, { code: 0, signal: null });
  const closes = events.filter((e) => e.kind === 'close');
  assert.equal(closes.length, 2);
  for (const close of closes) assert.equal(close.code, 1001);
  assert.equal(events.at(-1).kind === 'stopped' || events.some((e) => e.kind === 'stopped'), true);
  events.forEach((e, i) => assert.equal(e.seq, i + 1));
});

test('a port in use is one clear line and exit 1', async () => {
  const server = await serve([]);
  try {
    const port = new URL(server.url).port;
    const second = spawn(binary, ['serve', '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const killer = setTimeout(() => second.kill('SIGKILL'), 10000);
    let stderr = '';
    second.stderr.on('data', (c) => { stderr += c; });
    const code = await withTimeout(new Promise((r) => second.on('exit', r)), 'second exit');
    clearTimeout(killer);
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /in use/);
  } finally {
    await server.stop();
  }
});

test('a bad flag is a usage error', async () => {
  const child = spawn(binary, ['serve', '--mode', 'loud'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
  let stderr = '';
  child.stderr.on('data', (c) => { stderr += c; });
  const code = await withTimeout(new Promise((r) => child.on('exit', r)), 'exit');
  clearTimeout(killer);
  assert.equal(code, 2);
  assert.match(stderr, /--mode/);
});

test('localhost means both loopback families: the seed tutorial client reaches it over IPv4 and IPv6', async () => {
  const server = await serve(['--reply', 'Server says: %m'], { listen: 'localhost:0' });
  try {
    const port = new URL(server.url).port;
    assert.equal(server.url, `ws://localhost:${port}`);
    // One port on both loopback families: a client whose resolver returns ::1 first (Node 18
    // on Debian) and one that gets 127.0.0.1 first both reach the same server; and so does
    // the name itself, resolved as this machine resolves it.
    const urls = [`ws://127.0.0.1:${port}`, `ws://[::1]:${port}`, `ws://localhost:${port}`];
    for (const url of urls) {
      const client = connect(url);
      await client.opened;
      client.ws.send(`to ${url}`);
      await until(() => client.messages.length === 1, `echo from ${url}`);
      assert.equal(client.messages[0], `Server says: to ${url}`);
      client.ws.close();
      await withTimeout(client.closed, 'close');
    }
    // The log is written out within its flush interval (docs/event-log.md), not per line.
    await until(() => server.events().filter((e) => e.kind === 'open').length === 3, 'three opens');
    const listening = server.events().find((e) => e.kind === 'listening');
    assert.equal(listening.url, `ws://localhost:${port}`);
    assert.deepEqual(listening.addresses, [`127.0.0.1:${port}`, `[::1]:${port}`]);
    const peers = server.events().filter((e) => e.kind === 'open').map((e) => e.peer);
    assert.equal(peers.length, 3);
    assert.match(peers[0], /^127\.0\.0\.1:\d+$/);
    assert.match(peers[1], /^\[::1\]:\d+$/);
  } finally {
    await server.stop();
  }
});

test('the default listen address is localhost:8080', async () => {
  const child = spawn(binary, ['serve', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  await withTimeout(new Promise((r) => child.on('exit', r)), 'help');
  assert.match(out, /default\s+localhost:8080/);
});

test('an explicit address listens exactly there', async () => {
  const server = await serve([], { listen: '[::1]:0' });
  try {
    const port = new URL(server.url).port;
    assert.equal(server.url, `ws://[::1]:${port}`);
    const v6 = connect(`ws://[::1]:${port}`);
    await v6.opened;
    v6.ws.close();
    await withTimeout(v6.closed, 'close');
    const v4 = new WebSocket(`ws://127.0.0.1:${port}`);
    const error = await withTimeout(new Promise((resolve) => v4.once('error', resolve)), 'refused');
    assert.equal(error.code, 'ECONNREFUSED');
  } finally {
    await server.stop();
  }
});

test('a machine without IPv6 still serves localhost over IPv4 and says so once', async () => {
  // A network namespace of our own whose loopback has IPv6 turned off: the same server,
  // and a sockpit client inside it. A namespace needs root or an unprivileged user namespace.
  const script = [
    'ip link set lo up',
    'echo 1 > /proc/sys/net/ipv6/conf/lo/disable_ipv6',
    '"$0" serve --listen localhost:8080 --reply "Server says: %m" 2>"$1" &',
    'i=0; until grep -q "^listening" "$1" || [ $i -ge 200 ]; do sleep 0.05; i=$((i+1)); done',
    '"$0" connect ws://localhost:8080/ --send hi --expect 1 --timeout 5; rc=$?',
    'kill -TERM $!; wait $!; echo "serve exit $?" >&2; exit $rc',
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'sockpit-noipv6-'));
  const serveErr = join(dir, 'serve.err');
  const isRoot = process.getuid && process.getuid() === 0;
  const unshare = isRoot ? ['--net'] : ['--net', '--map-root-user'];
  const child = spawn('unshare', [...unshare, 'sh', '-c', script, binary, serveErr],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => { stderr += c; });
  const code = await withTimeout(new Promise((r) => child.on('exit', r)), 'namespace run', 40000);
  clearTimeout(killer);
  const serveLines = readFileSync(serveErr, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true, force: true });
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'Server says: hi\n');
  assert.match(stderr, /serve exit 0/);
  assert.equal(serveLines[0], 'listening on ws://localhost:8080');
  const notes = serveLines.filter((l) => /::1/.test(l));
  assert.equal(notes.length, 1, serveLines.join('\n'));
  assert.match(notes[0], /^note: ::1 is not available/);
  assert.doesNotMatch(serveLines.join('\n'), /error|cannot/i);
});
