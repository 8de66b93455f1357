// `sockpit connect` against real Node ws servers written from the tutorial
// (../shared/reference/node-websockets-tutorial.txt). Every process has a deadline and
// is killed at the end.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary = process.env.SOCKPIT_BINARY;
const children = new Set();
const scratch = mkdtempSync(path.join(tmpdir(), 'sockpit-connect-'));

after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// Starts a peer and resolves with its port once it prints "listening PORT".
function startPeer(name, ...args) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(process.execPath, [path.join(here, 'peers', name), ...args]));
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start`)), 10000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), child });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

// Runs `sockpit connect ...`; resolves with exit code, stdout and stderr. `onStderr` sees
// stderr as it arrives (to react to "connected to ...").
function connect(args, { deadlineMs = 15000, onStderr, onStdout, input } = {}) {
  return new Promise((resolve) => {
    const child = track(spawn(binary, ['connect', ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, child);
    });
    if (input !== undefined) child.stdin.end(input);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, child });
    });
  });
}

function readLog(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

test('done when: --header X-Token --send hi prints "Server says: hi" and logs both sides', async () => {
  const { port } = await startPeer('echo.mjs');
  const log = path.join(scratch, 'echo.jsonl');
  const result = await connect([
    `ws://127.0.0.1:${port}`, '--header', 'X-Token: a', '--send', 'hi', '--expect', '1',
    '--log', log,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Server says: hi\n');
  assert.match(result.stderr, new RegExp(`connected to ws://127.0.0.1:${port}`));
  assert.match(result.stderr, /closed 1000 \(Normal Closure\)/);

  const events = readLog(log);
  const handshake = events.find((e) => e.kind === 'handshake');
  assert.ok(handshake, 'a handshake event');
  assert.equal(handshake.request.method, 'GET');
  assert.deepEqual(
    handshake.request.headers.find(([name]) => name === 'X-Token'),
    ['X-Token', 'a'],
  );
  assert.equal(handshake.response.status, 101);
  const responseNames = handshake.response.headers.map(([name]) => name);
  assert.ok(responseNames.includes('Upgrade'), responseNames.join(','));
  assert.ok(responseNames.includes('Sec-WebSocket-Accept'), responseNames.join(','));
  const texts = events.filter((e) => e.kind === 'text');
  assert.deepEqual(
    texts.map((e) => [e.direction, e.text]),
    [['out', 'hi'], ['in', 'Server says: hi']],
  );
  const closes = events.filter((e) => e.kind === 'close');
  assert.ok(closes.length >= 1);
  assert.equal(closes[0].code, 1000);
  assert.equal(closes[0].initiator, 'local');
  assert.ok(events.every((e) => e.connection === handshake.connection));
});

test('without --expect it stays open until SIGINT, then closes with 1001 and exits 0', async () => {
  const { port } = await startPeer('echo.mjs');
  const log = path.join(scratch, 'sigint.jsonl');
  const result = await connect(
    [`ws://127.0.0.1:${port}`, '--header', 'X-Token: a', '--send', 'hi', '--log', log],
    {
      onStdout: (text, child) => {
        if (text.includes('Server says: hi')) child.kill('SIGINT');
      },
    },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Server says: hi\n');
  const closes = readLog(log).filter((e) => e.kind === 'close');
  assert.equal(closes[0].code, 1001);
  assert.equal(closes[0].initiator, 'local');
});

test('the acknowledge server answers each message in order', async () => {
  const { port } = await startPeer('acknowledge.mjs');
  const result = await connect([
    `ws://127.0.0.1:${port}`, '--send', 'one', '--send-hex', '74776f', '--send', 'three',
    '--expect', '3',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Acknowledged: one\nAcknowledged: two\nAcknowledged: three\n');
});

test('lines of standard input are sent, and the end of input closes', async () => {
  const { port } = await startPeer('echo.mjs');
  const result = await connect([`ws://127.0.0.1:${port}`, '--stdin'], { input: 'alpha\nbeta\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Server says: alpha\nServer says: beta\n');
});

test('the broadcast server reaches several sockpit clients', async () => {
  const { port } = await startPeer('broadcast.mjs');
  const url = `ws://127.0.0.1:${port}`;
  let connected = 0;
  let releaseListeners;
  const allConnected = new Promise((resolve) => (releaseListeners = resolve));
  const onStderr = (text, child) => {
    if (!child.seen && text.includes('connected to')) {
      child.seen = true;
      if (++connected === 3) releaseListeners();
    }
  };
  const listeners = [1, 2, 3].map(() => connect([url, '--expect', '1'], { onStderr }));
  await allConnected;
  const sender = await connect([url, '--send', 'hello all', '--expect', '1']);
  const results = await Promise.all(listeners);
  for (const result of [sender, ...results]) {
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'Broadcast: hello all\n');
  }
});

test('a server that closes after a delay: code 1000 and its reason, exit 0', async () => {
  const { port } = await startPeer('closeafter.mjs', '1000');
  const log = path.join(scratch, 'closeafter.jsonl');
  const started = Date.now();
  const result = await connect([`ws://127.0.0.1:${port}`, '--timeout', '10', '--log', log]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(Date.now() - started < 8000);
  assert.match(result.stderr, /closed 1000 \(Normal Closure\): Closing connection after 1 seconds/);
  const close = readLog(log).find((e) => e.kind === 'close');
  assert.equal(close.initiator, 'remote');
  assert.equal(close.code, 1000);
  assert.equal(close.reason, 'Closing connection after 1 seconds');
});

test('a 401 rejection: exit 1 with the status and body on stderr and in the log', async () => {
  const { port } = await startPeer('reject401.mjs');
  const log = path.join(scratch, 'reject.jsonl');
  const result = await connect([`ws://127.0.0.1:${port}`, '--log', log]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /401/);
  assert.match(result.stderr, /missing or wrong token/);
  const events = readLog(log);
  const error = events.find((e) => e.kind === 'error');
  assert.equal(error.id, 'handshake-rejected');
  const handshake = events.find((e) => e.kind === 'handshake');
  assert.equal(handshake.response.status, 401);

  const accepted = await connect([
    `ws://127.0.0.1:${port}`, '--header', 'Authorization: Bearer good', '--expect', '1',
  ]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.equal(accepted.stdout, 'welcome\n');
});

test('a fragmented message is joined and its frames are logged', async () => {
  const { port } = await startPeer('fragmented.mjs');
  const log = path.join(scratch, 'fragmented.jsonl');
  const result = await connect([`ws://127.0.0.1:${port}`, '--expect', '1', '--log', log]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'Hello, fragmented world\n');
  const text = readLog(log).find((e) => e.kind === 'text' && e.direction === 'in');
  assert.deepEqual(
    text.frames.map((f) => [f.opcode, f.fin, f.length]),
    [[1, false, 7], [0, false, 11], [0, true, 5]],
  );
});

test('connection refused and a bad URL fail with exit codes 1 and 2', async () => {
  const refused = await connect(['ws://127.0.0.1:1/', '--timeout', '5']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused/i);
  const bad = await connect(['http://127.0.0.1:1/']);
  assert.equal(bad.code, 2);
  const usage = await connect([]);
  assert.equal(usage.code, 2);
});

// A throw-away certificate for 127.0.0.1, made now (no private key is committed).
function makeCertificate() {
  const cert = path.join(scratch, 'cert.pem');
  const key = path.join(scratch, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'ignore', timeout: 30000 });
  return { cert, key };
}

test('wss: the tutorial secure server, trusted with --ca, refused without, --insecure flagged', async () => {
  const { cert, key } = makeCertificate();
  const { port } = await startPeer('secure.mjs', cert, key);
  const url = `wss://127.0.0.1:${port}`;

  const log = path.join(scratch, 'wss.jsonl');
  const trusted = await connect([url, '--ca', cert, '--send', 'hi', '--expect', '1', '--log', log]);
  assert.equal(trusted.code, 0, trusted.stderr);
  assert.equal(trusted.stdout, 'Server says: hi\n');
  const events = readLog(log);
  const tls = events.find((e) => e.kind === 'tls');
  assert.ok(tls, 'a tls event');
  assert.match(tls.tls.protocol, /TLS/);
  assert.equal(tls.tls.verificationDisabled, false);
  // The tls event describes the real server's certificate, not the wire tap's loopback one.
  assert.equal(tls.tls.peerCertificate.sha256, new X509Certificate(readFileSync(cert)).fingerprint256);
  // The wire tap terminates TLS (verifying the server itself), so wss is observed as ws is:
  // the real 101 with its headers, the request as Qt sent it, and frames both ways.
  assert.ok(!events.some((e) => e.kind === 'error'), JSON.stringify(events.filter((e) => e.kind === 'error')));
  const handshake = events.find((e) => e.kind === 'handshake');
  assert.equal(handshake.response.status, 101);
  const responseNames = handshake.response.headers.map(([name]) => name);
  assert.ok(responseNames.includes('Upgrade'), responseNames.join(','));
  assert.ok(responseNames.includes('Sec-WebSocket-Accept'), responseNames.join(','));
  const nonce = handshake.request.headers.find(([name]) => name === 'Sec-WebSocket-Key')[1];
  assert.equal(Buffer.from(nonce, 'base64').length, 16); // the key Qt really sent
  const texts = events.filter((e) => e.kind === 'text');
  assert.deepEqual(
    texts.map((e) => [e.direction, e.text, e.frames?.length]),
    [['out', 'hi', 1], ['in', 'Server says: hi', 1]],
  );
  assert.equal(texts[0].frames[0].masked, true);
  assert.equal(texts[1].frames[0].masked, false);
  const closes = events.filter((e) => e.kind === 'close');
  assert.equal(closes.at(-1).direction, 'in'); // the server's answer, seen through TLS
  assert.equal(closes.at(-1).code, 1000);

  const untrustedLog = path.join(scratch, 'untrusted.jsonl');
  const untrusted = await connect([url, '--send', 'hi', '--timeout', '10', '--log', untrustedLog]);
  assert.equal(untrusted.code, 1);
  assert.match(untrusted.stderr, /self-signed|not trusted|untrusted/i);
  assert.equal(untrusted.stdout, '');
  const refused = readLog(untrustedLog);
  assert.ok(refused.some((e) => e.kind === 'error' && e.id === 'tls-error'));
  assert.ok(!refused.some((e) => e.kind === 'open' || e.kind === 'handshake'));

  const insecureLog = path.join(scratch, 'insecure.jsonl');
  const insecure = await connect([
    url, '--insecure', '--send', 'hi', '--expect', '1', '--log', insecureLog,
  ]);
  assert.equal(insecure.code, 0, insecure.stderr);
  assert.equal(insecure.stdout, 'Server says: hi\n');
  const flagged = readLog(insecureLog);
  assert.ok(flagged.some((e) => e.kind === 'error' && e.id === 'tls-verification-disabled'));
  assert.ok(flagged.some((e) => e.kind === 'error' && e.id === 'tls-error'));
  const flaggedTls = flagged.find((e) => e.kind === 'tls');
  assert.equal(flaggedTls.tls.verificationDisabled, true);
  assert.ok(flaggedTls.tls.errors.length > 0);
  assert.equal(flagged.find((e) => e.kind === 'handshake').response.status, 101);
  assert.ok(flagged.filter((e) => e.kind === 'text').every((e) => e.frames?.length === 1));
});
