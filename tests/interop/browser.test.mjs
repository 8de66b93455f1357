// A real browser (Debian's Chromium driven by playwright-core) as the tutorial's browser
// client of `sockpit serve`. The page is served from a loopback HTTP server so that the
// WebSocket handshake carries a real http://127.0.0.1:PORT origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const binary = process.env.SOCKPIT_BINARY;
const CHROMIUM = process.env.SOCKPIT_CHROMIUM ?? '/usr/bin/chromium';
const STEP_MS = 15000;
const TEST_MS = 60000;

function withTimeout(promise, what, ms = STEP_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function until(predicate, what) {
  await withTimeout((async () => {
    while (!predicate()) await new Promise((r) => setTimeout(r, 20));
  })(), what);
}

// Every `sockpit serve` this file starts, so that `after` can kill any a failed test left.
const children = new Set();

// Starts `sockpit serve` on a free port; resolves once the first stderr line names it.
async function serve(args) {
  const dir = mkdtempSync(join(tmpdir(), 'sockpit-browser-'));
  const log = join(dir, 'log.jsonl');
  const child = spawn(binary, ['serve', '--listen', '127.0.0.1:0', '--log', log, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  const killer = setTimeout(() => child.kill('SIGKILL'), TEST_MS);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(killer);
    children.delete(child);
    resolve({ code, signal });
  }));
  let stderr = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const result = await withTimeout(exited, 'serve exit');
    rmSync(dir, { recursive: true, force: true });
    return result;
  };
  let url;
  try {
    url = await withTimeout(new Promise((resolve, reject) => {
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
        if (!stderr.includes('\n')) return;
        const firstLine = stderr.split('\n')[0];
        const match = /^listening on (ws:\/\/127\.0\.0\.1:(\d+))$/.exec(firstLine);
        if (match) resolve(match[1]);
        else reject(new Error(`unexpected first line: ${firstLine}`));
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    }), 'listening line');
  } catch (error) {
    await stop().catch(() => child.kill('SIGKILL'));
    throw error;
  }
  const events = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return { url, events, stop };
}

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>Sockpit browser client</title>'
  + '</head><body><p>Sockpit interop page</p></body></html>';

let browser;
let pageServer;
let origin;

before(async () => {
  assert.ok(binary, 'SOCKPIT_BINARY must name the sockpit binary');
  pageServer = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(PAGE);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await withTimeout(new Promise((resolve, reject) => {
    pageServer.once('error', reject);
    pageServer.listen(0, '127.0.0.1', resolve);
  }), 'page server listen');
  origin = `http://127.0.0.1:${pageServer.address().port}`;
  // launch() gives the browser a fresh temporary profile and removes it on close.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30000,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-proxy-server'],
  });
}, { timeout: 45000 });

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (browser) await withTimeout(browser.close(), 'browser close').catch(() => {});
  if (pageServer) {
    pageServer.closeAllConnections();
    await withTimeout(new Promise((resolve) => pageServer.close(resolve)), 'page server close')
      .catch(() => {});
  }
}, { timeout: 30000 });

// A page at the loopback origin; closed by the caller.
async function openPage(context) {
  const page = await withTimeout(context.newPage(), 'new page');
  page.setDefaultTimeout(STEP_MS);
  await page.goto(`${origin}/`);
  return page;
}

async function withContext(body) {
  const context = await withTimeout(browser.newContext(), 'new context');
  try {
    return await body(context);
  } finally {
    await withTimeout(context.close(), 'context close').catch(() => {});
  }
}

// The page side of a socket: opens it, records every event, and reports them on demand.
// Runs inside the browser; `window.sockets[name]` keeps its state between evaluate calls.
function pageOpen({ name, url, limitMs }) {
  window.sockets ??= {};
  const state = { messages: [], errors: 0, opened: false, close: null };
  window.sockets[name] = state;
  const ws = new WebSocket(url);
  state.ws = ws;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ opened: false, timedOut: true }), limitMs);
    ws.onopen = () => {
      state.opened = true;
      clearTimeout(timer);
      resolve({ opened: true });
    };
    ws.onmessage = (event) => state.messages.push(event.data);
    ws.onerror = () => { state.errors += 1; };
    ws.onclose = (event) => {
      state.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
      clearTimeout(timer);
      resolve({ opened: state.opened, close: state.close, errors: state.errors });
    };
  });
}

function pageState(name) {
  const { messages, errors, opened, close } = window.sockets[name];
  return { messages, errors, opened, close };
}

test('the tutorial client talks to the echo server and closes with 4001 "bye"', { timeout: TEST_MS }, async () => {
  const server = await serve(['--reply', 'Server says: %m']);
  try {
    await withContext(async (context) => {
      const page = await openPage(context);
      // The tutorial's client, verbatim in spirit: open, greet, log the reply, then close.
      const result = await withTimeout(page.evaluate(({ url, limitMs }) => new Promise((resolve) => {
        const seen = { opened: false, messages: [], close: null };
        const timer = setTimeout(() => resolve({ ...seen, timedOut: true }), limitMs);
        const ws = new WebSocket(url);
        ws.onopen = () => {
          seen.opened = true;
          ws.send('Hello, server!');
        };
        ws.onmessage = (event) => {
          seen.messages.push(event.data);
          ws.close(4001, 'bye');
        };
        ws.onclose = (event) => {
          clearTimeout(timer);
          seen.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
          resolve(seen);
        };
      }), { url: server.url, limitMs: STEP_MS - 2000 }), 'page client');
      assert.deepEqual(result, {
        opened: true,
        messages: ['Server says: Hello, server!'],
        close: { code: 4001, reason: 'bye', wasClean: true },
      });
    });

    await until(() => server.events().some((e) => e.kind === 'close'), 'close event');
    const events = server.events();
    const handshake = events.find((e) => e.kind === 'handshake');
    const headers = handshake.request.headers;
    const header = (name) => headers.find(([n]) => n === name)?.[1];
    const dump = JSON.stringify(handshake);
    assert.equal(handshake.request.method, 'GET', dump);
    assert.equal(handshake.request.target, '/', dump);
    // Chromium sends these names in exactly this case.
    assert.equal(header('Origin'), origin, dump);
    assert.match(header('User-Agent') ?? '', /Chrome/, dump);
    assert.equal(header('Sec-WebSocket-Version'), '13', dump);
    assert.equal(header('Upgrade'), 'websocket', dump);
    assert.match(header('Sec-WebSocket-Key') ?? '', /^[A-Za-z0-9+/]{22}==$/, dump);
    assert.match(header('Sec-WebSocket-Extensions') ?? '', /permessage-deflate/, dump);
    assert.equal(handshake.response.status, 101, dump);

    const texts = events.filter((e) => e.kind === 'text');
    const textIn = texts.find((e) => e.direction === 'in');
    assert.equal(textIn.text, 'Hello, server!');
    assert.ok(textIn.frames.length >= 1, JSON.stringify(textIn));
    // RFC 6455 section 5.1: every frame from a client is masked.
    for (const frame of textIn.frames) assert.equal(frame.masked, true, JSON.stringify(textIn));
    const textOut = texts.find((e) => e.direction === 'out');
    assert.equal(textOut.text, 'Server says: Hello, server!');

    const close = events.find((e) => e.kind === 'close');
    assert.equal(close.code, 4001);
    assert.equal(close.reason, 'bye');
    assert.equal(close.initiator, 'remote');
  } finally {
    await server.stop();
  }
});

test('broadcast reaches two browser pages, the sender included', { timeout: TEST_MS }, async () => {
  const server = await serve(['--mode', 'broadcast', '--reply', 'Broadcast: %m']);
  try {
    await withContext(async (context) => {
      const pages = [await openPage(context), await openPage(context)];
      for (const page of pages) {
        const opened = await withTimeout(
          page.evaluate(pageOpen, { name: 'main', url: server.url, limitMs: STEP_MS - 2000 }), 'page open');
        assert.deepEqual(opened, { opened: true });
      }
      await until(() => server.events().filter((e) => e.kind === 'open').length === 2, 'two opens');
      await withTimeout(pages[0].evaluate(() => window.sockets.main.ws.send('Hello, everyone!')), 'send');
      for (const page of pages) {
        await page.waitForFunction(() => window.sockets.main.messages.length >= 1);
      }
      for (const page of pages) {
        const state = await withTimeout(page.evaluate(pageState, 'main'), 'page state');
        assert.deepEqual(state.messages, ['Broadcast: Hello, everyone!']);
      }
      await until(() => server.events().some((e) => e.kind === 'broadcast'), 'broadcast event');
      const broadcast = server.events().find((e) => e.kind === 'broadcast');
      assert.equal(broadcast.recipients, 2);
      assert.equal(broadcast.text, 'Broadcast: Hello, everyone!');
      for (const page of pages) {
        await withTimeout(page.evaluate(() => window.sockets.main.ws.close(1000, 'done')), 'close');
        await page.waitForFunction(() => window.sockets.main.close !== null);
        const state = await withTimeout(page.evaluate(pageState, 'main'), 'page state');
        assert.deepEqual(state.close, { code: 1000, reason: 'done', wasClean: true });
      }
    });
  } finally {
    await server.stop();
  }
});

test('an origin not on the allow-list is refused with 403 and the page sees 1006', { timeout: TEST_MS }, async () => {
  const server = await serve(['--origin', 'http://example.invalid']);
  try {
    await withContext(async (context) => {
      const page = await openPage(context);
      const result = await withTimeout(
        page.evaluate(pageOpen, { name: 'main', url: server.url, limitMs: STEP_MS - 2000 }), 'page open');
      assert.equal(result.opened, false, JSON.stringify(result));
      assert.ok(result.errors >= 1, JSON.stringify(result));
      assert.deepEqual(result.close, { code: 1006, reason: '', wasClean: false });
    });

    await until(() => server.events().some((e) => e.kind === 'error'), 'error event');
    const events = server.events();
    const handshake = events.find((e) => e.kind === 'handshake');
    assert.ok(handshake.request.headers.some(([n, v]) => n === 'Origin' && v === origin), JSON.stringify(handshake));
    assert.equal(handshake.response.status, 403, JSON.stringify(handshake));
    const error = events.find((e) => e.kind === 'error');
    assert.equal(error.id, 'handshake-rejected-origin', JSON.stringify(error));
    assert.ok(!events.some((e) => e.kind === 'open'), 'no connection may open');
  } finally {
    await server.stop();
  }
});

test('the server closes after a second with 1000 and its reason', { timeout: TEST_MS }, async () => {
  const server = await serve(['--close-after', '1:1000:Closing connection after 1 second']);
  try {
    await withContext(async (context) => {
      const page = await openPage(context);
      const opened = await withTimeout(
        page.evaluate(pageOpen, { name: 'main', url: server.url, limitMs: STEP_MS - 2000 }), 'page open');
      assert.deepEqual(opened, { opened: true });
      await page.waitForFunction(() => window.sockets.main.close !== null);
      const state = await withTimeout(page.evaluate(pageState, 'main'), 'page state');
      // RFC 6455 section 7.1.1: the server keeps TCP open until the browser's Close came
      // back, so the browser sees a clean close, not a reset.
      assert.deepEqual(state.close,
        { code: 1000, reason: 'Closing connection after 1 second', wasClean: true });
    });

    await until(() => server.events().some((e) => e.kind === 'close'), 'close event');
    const close = server.events().find((e) => e.kind === 'close');
    assert.equal(close.code, 1000);
    assert.equal(close.reason, 'Closing connection after 1 second');
    assert.equal(close.initiator, 'local');
  } finally {
    await server.stop();
  }
});
