// Endurance of `sockpit serve` (issue 12, endurance 1 and 4): headless serve keeps no event
// store, so its memory stays flat however many messages it echoes, and its buffered JSON
// Lines log holds only whole lines after a SIGKILL in the middle of a flood.
// Every loop is bounded in count, every wait in time; loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

const binary = process.env.SOCKPIT_BINARY;
const STEP_MS = 60000;

function withTimeout(promise, what, ms = STEP_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function serve(extraArgs) {
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
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
      assert.ok(growthMiB < 20, `RSS grew by ${growthMiB.toFixed(1)} MiB`);
      ws.close(1000);
      server.child.kill('SIGTERM');
      assert.deepEqual(await withTimeout(server.exited, 'serve exit'), { code: 0, signal: null });
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
