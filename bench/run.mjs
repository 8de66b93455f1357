// Compares four WebSocket servers under the same Node `ws` load (bench/load.mjs) in one run
// on one machine, and prints a Markdown table of median messages per second, the ratio to
// Node ws, and each server's peak RSS. See bench/README.md.
//
//   node bench/run.mjs [--sockpit PATH] [--qtecho PATH] [--duration S] [--warmup S]
//                      [--repeat N] [--out [FILE.md]]
import { spawn } from 'node:child_process';
import {
  existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

const START_TIMEOUT_MS = 10000;
const STOP_TIMEOUT_MS = 5000;

const USAGE = `Usage: node bench/run.mjs [options]
  --sockpit PATH   the sockpit binary (default build/default/bin/sockpit)
  --qtecho PATH    the bare QWebSocketServer (default build/default/bench/sockpit_bench_qtecho)
  --duration S     measured seconds per run (default 4)
  --warmup S       seconds of the same traffic before measuring (default 1)
  --repeat N       runs of every (server, load) pair; the table shows the median (default 2)
  --out [FILE.md]  also write the report there (default bench/results/YYYY-MM-DD.md)
Build first: cmake --build build/default --target sockpit sockpit_bench_qtecho`;

function parseArgs(argv) {
  const options = {
    sockpit: path.join(root, 'build/default/bin/sockpit'),
    qtecho: path.join(root, 'build/default/bench/sockpit_bench_qtecho'),
    duration: 4,
    warmup: 1,
    repeat: 2,
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    const hasValue = value !== undefined && !value.startsWith('--');
    const need = () => {
      if (!hasValue) throw new Error(`${arg} needs a value`);
      i++;
      return value;
    };
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg === '--sockpit') options.sockpit = path.resolve(need());
    else if (arg === '--qtecho') options.qtecho = path.resolve(need());
    else if (arg === '--duration') options.duration = Number(need());
    else if (arg === '--warmup') options.warmup = Number(need());
    else if (arg === '--repeat') options.repeat = Number(need());
    else if (arg === '--out') {
      if (hasValue) options.out = path.resolve(need());
      else options.out = path.join(here, 'results', `${today()}.md`);
    } else throw new Error(`unknown argument: ${arg}\n${USAGE}`);
  }
  if (!(options.duration > 0 && options.duration <= 60))
    throw new Error('--duration: more than 0, at most 60 seconds');
  if (!(options.warmup >= 0 && options.warmup <= 60)) throw new Error('--warmup: 0 to 60 seconds');
  if (!(Number.isInteger(options.repeat) && options.repeat >= 1 && options.repeat <= 20))
    throw new Error('--repeat: 1 to 20');
  for (const [option, file] of [['--sockpit', options.sockpit], ['--qtecho', options.qtecho]]) {
    if (!existsSync(file)) throw new Error(`${option}: ${file} does not exist\n${USAGE}`);
  }
  return options;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

const LOADS = [
  ...[1, 10, 100].map((connections) => ({
    id: `pingpong-${connections}`,
    label: `ping-pong, ${connections} connection${connections === 1 ? '' : 's'}`,
    mode: 'echo',
    load: 'pingpong',
    connections,
  })),
  {
    id: 'pipelined-10',
    label: 'pipelined, 10 connections × 256 in flight',
    mode: 'echo',
    load: 'pipelined',
    connections: 10,
    window: 256,
  },
  {
    id: 'broadcast-100',
    label: 'broadcast to 100 connections (deliveries/s, 32 in flight)',
    mode: 'broadcast',
    load: 'broadcast',
    connections: 100,
    window: 32,
  },
];

function servers(options) {
  const listen = ['serve', '--listen', '127.0.0.1:0'];
  const sockpitMode = (mode) => (mode === 'broadcast' ? ['--mode', 'broadcast'] : []);
  return [
    {
      name: 'Node ws',
      command: () => process.execPath,
      args: (mode) => [
        path.join(here, 'servers/node-ws-server.mjs'),
        ...(mode === 'broadcast' ? ['--broadcast'] : []),
      ],
    },
    {
      name: 'bare QWebSocketServer',
      command: () => options.qtecho,
      args: (mode) => (mode === 'broadcast' ? ['--broadcast'] : []),
    },
    {
      name: 'sockpit serve',
      command: () => options.sockpit,
      args: (mode) => [...listen, ...sockpitMode(mode)],
    },
    {
      name: 'sockpit serve --log',
      command: () => options.sockpit,
      args: (mode, dir) => [...listen, ...sockpitMode(mode), '--log', path.join(dir, 'log.jsonl')],
      logFile: (dir) => path.join(dir, 'log.jsonl'),
    },
  ];
}

// Every child this runner started and has not seen exit, killed if the runner ends early.
const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// Starts a server; resolves once its first stderr line names the port.
function startServer(server, mode) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sockpit-bench-'));
  const child = track(spawn(server.command(), server.args(mode, dir), {
    stdio: ['ignore', 'ignore', 'pipe'],
  }));
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', (error) => resolve({ code: null, signal: error.code }));
  });
  let stderr = '';
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${server.name}: no listening line in ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 65536) stderr += chunk;
      const match = /^listening on (ws:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      } else if (stderr.includes('\n')) {
        clearTimeout(timer);
        reject(new Error(`${server.name}: unexpected first line: ${stderr.split('\n')[0]}`));
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${server.name} exited early (${code ?? signal}): ${stderr}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    let logBytes = null;
    const log = server.logFile?.(dir);
    if (log && existsSync(log)) logBytes = statSync(log).size;
    rmSync(dir, { recursive: true, force: true });
    return { logBytes };
  };
  return { child, url, stop };
}

// Peak resident set size (VmHWM) of a live process, in KiB; null when it cannot be read.
function peakRssKiB(pid) {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

// One run of bench/load.mjs in its own process (a fresh heap for every run).
function runLoad(url, load, options) {
  const args = [
    path.join(here, 'load.mjs'),
    '--url', url,
    '--load', load.load,
    '--connections', String(load.connections),
    '--warmup', String(options.warmup),
    '--duration', String(options.duration),
  ];
  if (load.window) args.push('--window', String(load.window));
  return new Promise((resolve) => {
    const child = track(spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    const deadlineMs = (options.warmup + options.duration) * 1000 + 60000;
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        const reason = `load client ended (${code ?? signal}) without a result: ${stderr.trim()}`;
        resolve({ ok: false, error: reason });
      }
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Three significant figures: the runs are not more precise than that.
function formatRate(value) {
  if (value >= 1000) {
    const magnitude = 10 ** (Math.floor(Math.log10(value)) - 2);
    return (Math.round(value / magnitude) * magnitude).toLocaleString('en-US');
  }
  return value.toPrecision(3);
}

function cpuModel() {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {
    // not Linux: fall through
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}

function sockpitVersion(binary) {
  return new Promise((resolve) => {
    const child = track(spawn(binary, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.trim().split('\n')[0] || 'unknown version');
    });
    child.on('error', () => resolve('unknown version'));
  });
}

// The commit the repository is at, and whether the code of the sockpit binary (app/, model/,
// widgets/) differs from it; null outside a git checkout.
async function sourceState() {
  const git = (args) => new Promise((resolve) => {
    const child = track(spawn('git', ['-C', root, ...args], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }));
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => resolve(code === 0 ? out.trim() : null));
    child.on('error', () => resolve(null));
  });
  const commit = await git(['rev-parse', '--short', 'HEAD']);
  if (!commit) return null;
  const changes = await git(['status', '--porcelain', '--untracked-files=no', '--', 'app', 'model',
    'widgets']);
  if (changes) return `commit ${commit} + uncommitted changes in app/, model/ or widgets/`;
  return `commit ${commit}`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const list = servers(options);
  const script = path.relative(process.cwd(), fileURLToPath(import.meta.url));
  const command = ['node', script, ...process.argv.slice(2)].join(' ');
  // results[server][load] = messages/s of each repeat; failures[server][load] = reasons
  const results = new Map(list.map((s) => [s.name, new Map(LOADS.map((l) => [l.id, []]))]));
  const failures = new Map(list.map((s) => [s.name, new Map(LOADS.map((l) => [l.id, []]))]));
  const peakRss = new Map(list.map((s) => [s.name, 0]));
  const logBytes = [];

  const modes = [...new Set(LOADS.map((l) => l.mode))];
  // Repeats outermost, so that the machine's drift over the run is spread over all servers.
  for (let repeat = 1; repeat <= options.repeat; repeat++) {
    for (const server of list) {
      for (const mode of modes) {
        const started = startServer(server, mode);
        try {
          const url = await started.url;
          for (const load of LOADS.filter((l) => l.mode === mode)) {
            const progress = `[${repeat}/${options.repeat}] ${server.name}: ${load.label}`;
            process.stderr.write(`${progress} ... `);
            const result = await runLoad(url, load, options);
            const rss = peakRssKiB(started.child.pid);
            if (rss !== null) peakRss.set(server.name, Math.max(peakRss.get(server.name), rss));
            if (result.ok) {
              results.get(server.name).get(load.id).push(result.perSecond);
              process.stderr.write(`${formatRate(result.perSecond)}/s, VmHWM ${rss ?? '?'} kB\n`);
            } else {
              failures.get(server.name).get(load.id).push(result.error);
              process.stderr.write(`failed: ${result.error}\n`);
            }
          }
        } catch (error) {
          for (const load of LOADS.filter((l) => l.mode === mode))
            failures.get(server.name).get(load.id).push(error.message);
          process.stderr.write(`failed: ${error.message}\n`);
        } finally {
          const { logBytes: bytes } = await started.stop();
          if (bytes !== null) logBytes.push(bytes);
        }
      }
    }
  }

  const names = list.map((s) => s.name);
  const reference = names[0];
  const medianOf = (name, id) => {
    const values = results.get(name).get(id);
    return values.length ? median(values) : null;
  };
  const rows = [];
  rows.push(`| load | ${names.join(' | ')} |`);
  rows.push(`| --- | ${names.map(() => '---:').join(' | ')} |`);
  for (const load of LOADS) {
    const base = medianOf(reference, load.id);
    const cells = names.map((name) => {
      const value = medianOf(name, load.id);
      if (value === null) return 'failed';
      const runs = results.get(name).get(load.id).length;
      const incomplete = runs < options.repeat ? ` (${runs} of ${options.repeat} runs)` : '';
      const ratio = base ? ` ×${(value / base).toFixed(2)}` : '';
      return `${formatRate(value)}${ratio}${incomplete}`;
    });
    rows.push(`| ${load.label} | ${cells.join(' | ')} |`);
  }
  const rss = (name) => (peakRss.get(name) ? `${(peakRss.get(name) / 1024).toFixed(1)} MiB` : '?');
  rows.push(`| peak RSS (VmHWM, highest over its loads) | ${names.map(rss).join(' | ')} |`);

  const version = await sockpitVersion(options.sockpit);
  const source = await sourceState();
  const header = [
    `${today()} · ${cpuModel()} (${cpus().length} logical CPUs) · Node ${process.version} · `
      + `${version}${source ? ` (${source})` : ''} · \`${command}\``,
    '',
    `Messages per second (64-byte text messages; broadcast counts deliveries), the median of `
      + `${options.repeat} run(s) of ${options.duration} s after ${options.warmup} s of warm-up, `
      + 'and the ratio to Node ws in the same run. One load client (Node `ws`, bench/load.mjs) '
      + 'for every server; all on loopback.',
  ];
  const notes = [];
  if (logBytes.length) {
    const mib = (Math.max(...logBytes) / 1048576).toFixed(0);
    notes.push(`sockpit serve --log wrote up to ${mib} MiB of JSON Lines per server process.`);
  }
  for (const name of names) {
    for (const load of LOADS) {
      const reasons = failures.get(name).get(load.id);
      if (reasons.length)
        notes.push(`${name}, ${load.label}: ${reasons.length} failed run(s): ${reasons[0]}`);
    }
  }
  const report = [...header, '', ...rows, ...(notes.length ? ['', ...notes] : []), ''].join('\n');
  process.stdout.write(`\n${report}`);
  if (options.out) {
    mkdirSync(path.dirname(options.out), { recursive: true });
    writeFileSync(options.out, report);
    process.stderr.write(`written to ${options.out}\n`);
  }
  const failed = [...failures.values()].some((byLoad) => {
    return [...byLoad.values()].some((reasons) => reasons.length > 0);
  });
  process.exit(failed ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
});
