// wss across implementations (issue 6): a Node `ws` client verifying `sockpit serve`'s
// chosen certificate, mutual TLS, the in-memory self-signed certificate, and `sockpit
// connect` against the tutorial's https-backed wss server
// (../shared/reference/node-websockets-tutorial.txt). Certificates are made at test time
// with the openssl program; every process has a deadline and is killed at the end.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';

const binary = process.env.SOCKPIT_BINARY;
const STEP_MS = 15000;
const children = new Set();
const scratch = mkdtempSync(path.join(tmpdir(), 'sockpit-wss-'));
const file = (name) => path.join(scratch, name);

function openssl(args) {
  execFileSync('openssl', args, { stdio: 'ignore', timeout: 30000 });
}

before(() => {
  // A P-256 server certificate for localhost and both loopback addresses.
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
    '-days', '2', '-keyout', file('key.pem'), '-out', file('cert.pem'),
  ]);
  // A CA for client certificates, one client it signs, and a stranger it does not.
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=Interop Client CA', '-days', '2',
    '-keyout', file('client-ca.key'), '-out', file('client-ca.pem'),
  ]);
  openssl([
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=interop client', '-keyout', file('client.key'), '-out', file('client.csr'),
  ]);
  openssl([
    'x509', '-req', '-in', file('client.csr'), '-CA', file('client-ca.pem'),
    '-CAkey', file('client-ca.key'), '-CAcreateserial', '-days', '2', '-out', file('client.pem'),
  ]);
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=stranger', '-days', '2', '-keyout', file('stranger.key'), '-out', file('stranger.pem'),
  ]);
});

after(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function withTimeout(promise, what, ms = STEP_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// Starts `sockpit serve` on a free port of localhost (127.0.0.1 and ::1, whichever a
// client's resolver returns first); resolves once the first stderr line names it.
async function serve(args) {
  const log = file(`serve-${Date.now()}-${Math.random().toString(16).slice(2)}.jsonl`);
  const child = track(spawn(binary, ['serve', '--listen', 'localhost:0', '--log', log, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  }));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    clearTimeout(killer);
    resolve({ code, signal });
  }));
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const url = await withTimeout(new Promise((resolve, reject) => {
    child.stderr.on('data', () => {
      if (!stderr.includes('\n')) return;
      const firstLine = stderr.split('\n')[0];
      const match = /^listening on (wss:\/\/localhost:(\d+))$/.exec(firstLine);
      if (match) resolve(match[1]);
      else reject(new Error(`unexpected first line: ${firstLine}`));
    });
    child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
  }), 'listening line');
  const events = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return withTimeout(exited, 'serve exit');
  };
  return { url, events, stop, stderr: () => stderr };
}

// Runs a command to its end (bounded); resolves with exit code, stdout and stderr.
function run(args, deadlineMs = STEP_MS) {
  return new Promise((resolve) => {
    const child = track(spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// Opens a Node ws client; `opened` rejects on an error before open.
function connect(url, options) {
  const ws = new WebSocket(url, options);
  const messages = [];
  ws.on('message', (data) => messages.push(data.toString()));
  const closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = withTimeout(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  }), 'open');
  opened.catch(() => {}); // awaited by the test; no unhandled rejection meanwhile
  return { ws, messages, closed, opened };
}

async function until(predicate, what) {
  await withTimeout((async () => {
    while (!predicate()) await new Promise((r) => setTimeout(r, 20));
  })(), what);
}

async function echoOnce(client, text) {
  await client.opened;
  client.ws.send(text);
  await until(() => client.messages.length === 1, 'echo');
  client.ws.close();
  await withTimeout(client.closed, 'close');
  return client.messages[0];
}

test('a verifying Node ws client gets the echo from sockpit serve --tls-cert --tls-key', async () => {
  const server = await serve(['--tls-cert', file('cert.pem'), '--tls-key', file('key.pem'),
    '--reply', 'Server says: %m']);
  try {
    const ca = readFileSync(file('cert.pem'));
    // Every name of the certificate verifies: localhost and both loopback addresses.
    assert.equal(await echoOnce(connect(server.url, { ca }), 'Hello, server!'),
      'Server says: Hello, server!');
    const port = new URL(server.url).port;
    assert.equal(await echoOnce(connect(`wss://127.0.0.1:${port}`, { ca }), 'by IPv4'),
      'Server says: by IPv4');
    // Over IPv6 the name is checked (Node 18 does not match an IPv6 address in the
    // certificate's IP names).
    assert.equal(await echoOnce(connect(`wss://[::1]:${port}`, { ca, servername: 'localhost' }),
      'by IPv6'), 'Server says: by IPv6');

    // Without the certificate trusted, Node refuses the server, and the server says so.
    const stranger = connect(server.url);
    await assert.rejects(stranger.opened, /self[- ]signed|unable to verify/i);
    await until(() => server.events().some((e) => e.id === 'tls-handshake-failed'),
      'tls-handshake-failed in the log');

    const events = server.events();
    const tls = events.filter((e) => e.kind === 'tls');
    assert.equal(tls.length, 3); // one per connection: by name, by IPv4, by IPv6
    assert.match(tls[0].tls.protocol, /^TLSv1\.[23]$/);
    assert.ok(tls[0].tls.cipher.length > 0);
    assert.ok(events.some((e) => e.kind === 'text' && e.direction === 'in' && e.text === 'Hello, server!'));
    const logText = readFileSync(file('key.pem'), 'utf8');
    const keyBody = logText.split('\n')[1];
    assert.ok(!JSON.stringify(events).includes(keyBody), 'the key never reaches the log');
  } finally {
    const { code } = await server.stop();
    assert.equal(code, 0);
  }
});

test('sockpit serve --tls-client-ca accepts a client certificate from that CA and refuses others', async () => {
  const server = await serve(['--tls-cert', file('cert.pem'), '--tls-key', file('key.pem'),
    '--tls-client-ca', file('client-ca.pem'), '--tls-require-client-cert']);
  try {
    const ca = readFileSync(file('cert.pem'));
    const accepted = connect(server.url, {
      ca, cert: readFileSync(file('client.pem')), key: readFileSync(file('client.key')),
    });
    assert.equal(await echoOnce(accepted, 'mutual'), 'mutual');
    await until(() => server.events().some((e) => e.kind === 'tls'), 'tls event');
    const tls = server.events().find((e) => e.kind === 'tls');
    assert.match(tls.tls.peerCertificate.subject, /CN=interop client/);
    assert.match(tls.tls.peerCertificate.issuer, /CN=Interop Client CA/);
    assert.match(tls.tls.peerCertificate.sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    for (const options of [{ ca }, {
      ca, cert: readFileSync(file('stranger.pem')), key: readFileSync(file('stranger.key')),
    }]) {
      const before = server.events().filter((e) => e.id === 'tls-handshake-failed').length;
      const refused = connect(server.url, options);
      // TLS 1.3 lets the client finish first; the server's alert then ends it before open.
      await assert.rejects(refused.opened);
      await until(() => server.events().filter((e) => e.id === 'tls-handshake-failed').length > before,
        'the refusal in the log');
    }
    assert.equal(server.events().filter((e) => e.kind === 'open').length, 1);
  } finally {
    await server.stop();
  }

  const usage = await run(['serve', '--listen', '127.0.0.1:0', '--tls-require-client-cert',
    '--tls-self-signed']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--tls-client-ca/);
});

test('sockpit serve --tls-self-signed prints the fingerprint a client can pin', async () => {
  const server = await serve(['--tls-self-signed']);
  try {
    await until(() => /fingerprint/.test(server.stderr()), 'fingerprint line');
    const printed = /SHA-256 fingerprint: ([0-9A-F:]+)/.exec(server.stderr())[1];
    // Pinning instead of a CA: the fingerprint printed is the certificate served.
    const client = connect(server.url, { rejectUnauthorized: false });
    await client.opened;
    assert.equal(client.ws._socket.getPeerCertificate().fingerprint256, printed);
    client.ws.close();
    await withTimeout(client.closed, 'close');
  } finally {
    await server.stop();
  }
});

test('a wrong key or an unreadable certificate stops sockpit serve with the file named', async () => {
  const mismatch = await run(['serve', '--listen', '127.0.0.1:0', '--tls-cert', file('cert.pem'),
    '--tls-key', file('stranger.key')]);
  assert.equal(mismatch.code, 1);
  assert.ok(mismatch.stderr.includes('stranger.key'), mismatch.stderr);
  assert.doesNotMatch(mismatch.stderr, /listening/);
  const missing = await run(['serve', '--listen', '127.0.0.1:0', '--tls-cert', file('absent.pem'),
    '--tls-key', file('key.pem')]);
  assert.equal(missing.code, 1);
  assert.ok(missing.stderr.includes('absent.pem'), missing.stderr);
});

// The tutorial's secure server, in this process: https.createServer({cert, key}) carrying
// a ws server that answers "Server says: ".
async function tutorialServer() {
  const server = https.createServer({
    cert: readFileSync(file('cert.pem')),
    key: readFileSync(file('key.pem')),
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    ws.on('message', (message) => ws.send('Server says: ' + message));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test('sockpit connect trusts the tutorial wss server with --ca, refuses it without, flags --insecure', async () => {
  const tutorial = await tutorialServer();
  try {
    const url = `wss://localhost:${tutorial.port}`;
    const trusted = await run(['connect', url, '--ca', file('cert.pem'), '--send', 'hi',
      '--expect', '1', '--timeout', '10']);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.equal(trusted.stdout, 'Server says: hi\n');

    const untrusted = await run(['connect', url, '--send', 'hi', '--expect', '1', '--timeout', '10']);
    assert.equal(untrusted.code, 1, untrusted.stderr);
    assert.equal(untrusted.stdout, '');
    assert.match(untrusted.stderr, /certificate/i);
    assert.match(untrusted.stderr, /self[- ]signed|not trusted|issuer/i);

    const insecure = await run(['connect', url, '--insecure', '--send', 'hi', '--expect', '1',
      '--timeout', '10']);
    assert.equal(insecure.code, 0, insecure.stderr);
    assert.equal(insecure.stdout, 'Server says: hi\n');
    assert.match(insecure.stderr, /verification (is )?(disabled|off)/i);
  } finally {
    await tutorial.close();
  }
});
