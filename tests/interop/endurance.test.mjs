// Endurance of `sockpit serve`: headless serve keeps no event store, so its memory stays
// flat however many messages it echoes; its buffered JSON Lines log holds only whole lines
// after a SIGKILL in the middle of a flood; a connection costs one file descriptor and
// nothing after it closed; when descriptors run out, peers get a 503 and serving resumes.
// Every loop is bounded in count, every wait in time; loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const binary = process.env.SOCKPIT_BINARY;
const STEP_MS = 60000;
// Under AddressSanitizer freed memory is held in quarantine, so RSS says nothing about
// what serve keeps. There the memory check is the leak checker at exit instead: every
// memory test stops serve with SIGTERM, and a leak report makes its exit code non-zero.
const sanitized = process.env.SOCKPIT_SANITIZED === '1';

function assertGrowthWithin(growthMiB, boundMiB) {
  if (sanitized) {
    console.log(`(sanitizer build: RSS growth not bounded, the leak check at exit is)`);
    return;
  }
  assert.ok(growthMiB < boundMiB, `RSS grew by ${growthMiB.toFixed(1)} MiB`);
}

async function stopCleanly(server) {
  server.child.kill('SIGTERM');
  assert.deepEqual(await withTimeout(server.exited, 'serve exit'), { code: 0, signal: null });
}

function withTimeout(promise, what, ms = STEP_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// `openFiles`: the descriptor limit (ulimit -n) serve runs under.
async function serve(extraArgs, { openFiles } = {}) {
  const args = ['serve', '--listen', '127.0.0.1:0', ...extraArgs];
  const child = openFiles
    ? spawn('/bin/sh', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, binary, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    : spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 5 * STEP_MS);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(killer);
    resolve({ code, signal });
  }));
  let stderr = '';
  const url = await withTimeout(new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /^listening on (ws:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
      if (match) resolve(match[1]);
      else if (stderr.includes('\n')) reject(new Error(`unexpected first line: ${stderr}`));
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  }), 'listening line');
  return { url, child, exited };
}

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)[1]);
}

function openFiles(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

// Serve's descriptors once it is settled: a few (the signal watcher's) appear only after
// the listening line, so count after one connection has come and gone.
async function settledOpenFiles(server) {
  const ws = await open(server.url);
  ws.close(1000);
  await closed(ws);
  await new Promise((resolve) => setTimeout(resolve, 200));
  return openFiles(server.child.pid);
}

async function open(url) {
  const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
  await withTimeout(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }), 'open');
  return ws;
}

// Sends `count` messages with at most `window` unanswered; resolves with the echoes seen.
// `onEcho(n)` may return true to stop early (the flood is then left in flight).
function echoes(ws, count, payload, { window = 32, onEcho = () => false } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    let sent = 0;
    let received = 0;
    const pump = () => {
      while (sent < count && sent - received < window) {
        ws.send(payload);
        ++sent;
      }
    };
    const onMessage = (data) => {
      ++received;
      if (data.length !== payload.length) {
        reject(new Error(`echo ${received} has ${data.length} bytes, not ${payload.length}`));
        return;
      }
      if (received === count || onEcho(received)) {
        ws.off('message', onMessage);
        resolve(received);
      } else {
        pump();
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => reject(new Error(`closed ${code} after ${received} echoes`)));
    pump();
  }), `${count} echoes`);
}

async function until(predicate, what, ms = 10000) {
  await withTimeout((async () => {
    while (!predicate()) await new Promise((r) => setTimeout(r, 20));
  })(), what, ms);
}

for (const withLog of [false, true]) {
  test(`serve ${withLog ? 'with' : 'without'} --log keeps its memory flat over 20,000 echoes`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockpit-soak-'));
    const log = join(dir, 'log.jsonl');
    const server = await serve(withLog ? ['--log', log] : []);
    try {
      const ws = await open(server.url);
      const payload = 'x'.repeat(1024);
      // Warm up first: buffers and the allocator's pools reach their working size.
      assert.equal(await echoes(ws, 2000, payload), 2000);
      const before = rssKiB(server.child.pid);
      assert.equal(await echoes(ws, 20000, payload), 20000);
      const after = rssKiB(server.child.pid);
      const growthMiB = (after - before) / 1024;
      console.log(`VmRSS ${before} kB -> ${after} kB (${growthMiB.toFixed(1)} MiB) over 20,000 echoes`);
      // A store holding every payload would grow by 40 MiB here (20,000 in + 20,000 out).
      assertGrowthWithin(growthMiB, 20);
      ws.close(1000);
      await stopCleanly(server);
      if (withLog) {
        const lines = readFileSync(log, 'utf8').split('\n');
        assert.equal(lines.pop(), '', 'the log ends with a newline');
        const texts = lines.map((l) => JSON.parse(l)).filter((e) => e.kind === 'text');
        assert.equal(texts.length, 2 * 22000, 'every message and echo is in the log');
      }
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('after SIGKILL in the middle of a flood every line of the log is whole JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockpit-kill-'));
  const log = join(dir, 'log.jsonl');
  const server = await serve(['--log', log]);
  try {
    const ws = await open(server.url);
    const payload = 'y'.repeat(300);
    // Quiet after a burst: the flush timer writes the log out without any more traffic.
    assert.equal(await echoes(ws, 500, payload), 500);
    const countLines = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0);
    // listening, handshake, open, then 500 messages and 500 echoes
    await until(() => countLines() >= 1003, 'the log catches up within its flush interval');

    // The flood: stopped by SIGKILL while messages are still in flight.
    const stopAt = 3000;
    await echoes(ws, 20000, payload, {
      window: 256,
      onEcho: (n) => {
        if (n === stopAt) server.child.kill('SIGKILL');
        return n === stopAt;
      },
    });
    assert.deepEqual(await withTimeout(server.exited, 'serve killed'), { code: null, signal: 'SIGKILL' });

    const text = readFileSync(log, 'utf8');
    const lines = text.split('\n');
    // A kill inside a write() may cut the last line; nothing before it may be cut.
    const tail = lines.pop();
    assert.ok(tail.length < 64 * 1024 + payload.length * 2, `a cut-off tail of ${tail.length} bytes`);
    assert.ok(lines.length >= 1003, `only ${lines.length} lines`);
    lines.forEach((line, i) => {
      let event;
      assert.doesNotThrow(() => { event = JSON.parse(line); }, `line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
      assert.equal(event.seq, i + 1, `line ${i + 1} has seq ${event.seq}`);
    });
    console.log(`${lines.length} whole lines after SIGKILL at echo ${stopAt} of the flood; cut-off tail: ${tail.length} bytes`);
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function stop(server) {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
}

async function closed(ws) {
  if (ws.readyState === WebSocket.CLOSED) return;
  await withTimeout(new Promise((resolve) => ws.once('close', resolve)), 'close');
}

test('an open connection costs serve one file descriptor, and a closed one none', async () => {
  const server = await serve([]);
  try {
    const idle = await settledOpenFiles(server);
    const clients = [];
    for (let i = 0; i < 100; ++i) clients.push(await open(server.url));
    // Each server socket is accepted before its client's open event.
    const busy = openFiles(server.child.pid);
    console.log(`descriptors: ${idle} idle, ${busy} with 100 connections`);
    // Three per connection with a loopback pair between the tap and Qt's engine.
    assert.ok(busy - idle <= 102, `${busy - idle} descriptors for 100 connections`);
    await Promise.all(clients.map((ws) => { ws.close(1000); return closed(ws); }));
    await until(() => openFiles(server.child.pid) <= idle, 'descriptors given back');
    await stopCleanly(server);
  } finally {
    stop(server);
  }
});

test('3,000 connect/close cycles leave serve\'s memory and descriptors where they were', async () => {
  const server = await serve([]);
  try {
    // Half of them close cleanly, half drop the TCP connection without a Close.
    let n = 0;
    const cycle = async () => {
      const ws = await open(server.url);
      if (++n % 2) ws.close(1000);
      else ws.terminate();
      await closed(ws);
    };
    // Warm up: the allocator's pools and Qt's caches reach their working size.
    for (let i = 0; i < 300; ++i) await cycle();
    const before = rssKiB(server.child.pid);
    const files = openFiles(server.child.pid);
    // Ten at a time, 3,000 in all.
    for (let i = 0; i < 300; ++i) await Promise.all(Array.from({ length: 10 }, cycle));
    await until(() => openFiles(server.child.pid) <= files, 'descriptors given back');
    const after = rssKiB(server.child.pid);
    const growthMiB = (after - before) / 1024;
    console.log(`VmRSS ${before} kB -> ${after} kB (${growthMiB.toFixed(1)} MiB) over 3,000 cycles`);
    assertGrowthWithin(growthMiB, 10);
    await stopCleanly(server);
  } finally {
    stop(server);
  }
});

// One attempt: 'open' (with the socket), 'http <status>', or 'error <message>'.
function attempt(url) {
  return withTimeout(new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve({ outcome: 'open', ws }));
    ws.once('unexpected-response', (request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ outcome: `http ${response.statusCode}`, body, headers: response.headers }));
    });
    ws.once('error', (error) => resolve({ outcome: `error ${error.message}` }));
  }), 'an answer to the upgrade request');
}

test('when descriptors run out, serve answers 503, logs it, and serves again once some are free', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sockpit-fds-'));
  const log = join(dir, 'log.jsonl');
  const limit = 48;
  const server = await serve(['--log', log], { openFiles: limit });
  try {
    const idle = await settledOpenFiles(server);
    const room = limit - idle;
    const results = await Promise.all(Array.from({ length: room + 30 }, () => attempt(server.url)));
    const tally = {};
    for (const r of results) tally[r.outcome] = (tally[r.outcome] ?? 0) + 1;
    console.log(`limit ${limit}, ${idle} open when idle: ${JSON.stringify(tally)}`);
    const opened = results.filter((r) => r.outcome === 'open');
    const refused = results.filter((r) => r.outcome === 'http 503');
    // Every peer got an answer: opened, or 503 with a reason; none was left hanging or reset.
    assert.equal(opened.length + refused.length, results.length, JSON.stringify(tally));
    assert.ok(opened.length >= room - 2, `only ${opened.length} of ${room} possible connections opened`);
    assert.ok(refused.length >= 28, `${refused.length} peers were answered 503`);
    assert.match(refused[0].body, /no file descriptor left/);
    assert.equal(refused[0].headers['retry-after'], '1');

    // Serving resumes as soon as connections are gone.
    await Promise.all(opened.slice(0, 10).map((r) => { r.ws.close(1000); return closed(r.ws); }));
    await until(() => openFiles(server.child.pid) <= limit - 10, 'descriptors given back');
    const again = await Promise.all(Array.from({ length: 5 }, () => attempt(server.url)));
    assert.deepEqual(again.map((r) => r.outcome), Array(5).fill('open'));

    for (const r of [...opened, ...again]) r.ws.terminate();
    server.child.kill('SIGTERM');
    await withTimeout(server.exited, 'serve exit');
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const shed = events.filter((e) => e.kind === 'error' && e.id === 'descriptors-exhausted');
    assert.equal(shed.length, refused.length, 'one error event per peer answered 503');
    assert.match(shed[0].error, new RegExp(`may have ${limit} open`));
  } finally {
    stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
});
