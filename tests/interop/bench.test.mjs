// `sockpit bench` against the tutorial's echo server: bounded, and a JSON summary.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = process.env.SOCKPIT_BINARY;
const children = new Set();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

function run(command, args, deadlineMs = 30000) {
  return new Promise((resolve) => {
    const child = spawn(command, args);
    children.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

function startEcho() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(here, 'peers', 'echo.mjs')]);
    children.add(child);
    const timer = setTimeout(() => reject(new Error('echo did not start')), 10000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
}

test('bench sends every message on every connection and reports latency percentiles', async () => {
  const port = await startEcho();
  const result = await run(binary, [
    'bench', `ws://127.0.0.1:${port}`, '--connections', '3', '--messages', '50', '--size', '100',
    '--duration', '20',
  ]);
  assert.equal(result.code, 0, result.stderr);
  const summary = JSON.parse(result.stdout);
  assert.equal(summary.connections, 3);
  assert.equal(summary.sent, 150);
  assert.equal(summary.received, 150);
  assert.ok(summary.messagesPerSecond > 0);
  const { min, p50, p90, p99, max } = summary.latencyMs;
  assert.ok(min <= p50 && p50 <= p90 && p90 <= p99 && p99 <= max);
});

test('bench stops at --duration and fails cleanly when nothing listens', async () => {
  const port = await startEcho();
  const started = Date.now();
  const bounded = await run(binary, [
    'bench', `ws://127.0.0.1:${port}`, '--messages', '10000000', '--duration', '1',
  ]);
  assert.equal(bounded.code, 0, bounded.stderr);
  assert.ok(Date.now() - started < 10000);
  assert.ok(JSON.parse(bounded.stdout).received < 10000000);

  const refused = await run(binary, ['bench', 'ws://127.0.0.1:1/', '--duration', '2']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused/i);
  const usage = await run(binary, ['bench', 'ws://127.0.0.1:1/', '--connections', '100000']);
  assert.equal(usage.code, 2);
});
